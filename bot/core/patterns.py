"""Reusable regular-expression fragments for the rule table and for redaction.

Patterns are compiled case-insensitive; fragments that depend on capital letters (names,
plates) scope case sensitivity back on with `(?-i:...)`.
"""

from __future__ import annotations

# Capitalised words that start sentences or name places and ranks, never a person.
_NOT_NAMES = (
    "The|This|That|These|Those|There|Then|They|We|Our|My|His|Her|Their|Your|You|It|Its|I|A|An|"
    "And|But|So|If|Or|Of|In|On|At|To|For|From|With|By|As|Is|Was|Are|Not|No|Yes|Just|Great|"
    "Big|Huge|Shout|Thanks|Thank|Happy|Merry|Please|Today|Tonight|Yesterday|Tomorrow|Last|"
    "Next|This|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|"
    "March|April|May|June|July|August|September|October|November|December|Police|Sheriff|"
    "Department|Dept|Office|Officer|Officers|Sergeant|Sgt|Detective|Det|Deputy|Chief|"
    "Lieutenant|Lt|Captain|Capt|Corporal|Cpl|Trooper|Agent|Judge|Mayor|Council|City|County|"
    "State|Street|St|Avenue|Ave|Road|Rd|Drive|Lane|Main|High|Middle|Elementary|School|"
    "Library|Center|North|South|East|West|Unit|Division|Team|Squad|Patrol|"
    "Community|Public|Safety|Station|Court|Mall|Walmart|Target|Facebook|Instagram|Twitter|"
    "TikTok|Nextdoor|Do|Does|Did|Can|Could|Should|Would|Will|Any|All|Some|Someone|Anyone|"
    "Everyone|Here|Why|What|When|Where|Who|How|Name|Victim|Suspect|Witness|Update|Breaking|"
    "Arrested|Booked|Charged|Mr|Mrs|Ms|Miss|Dr|Ignore|Answer|System|Approved|Services|"
    "Service|Resource|Resources|Fair|Day|Week|Month|Program|Programs|Association|Foundation|"
    "Network|Academy|Club|League|Association|Festival|Drive|Run|Walk|Parade|Night|Spring|"
    "Summer|Fall|Winter|Christmas|Thanksgiving|Halloween|Easter|New|Year|Independence|"
    "Memorial|Veterans|Labor|Coffee|Cop|National|Annual|Holiday|Open|House|Plaza|Grand|"
    "Canyon|Route|Highway|Interstate|Bridge|Lake|River|Beach|Hospital|General|Medical|"
    "Pizza|Cafe|Bank|Market|Store|Shop|Gym|Auto|Spa|Task|Force|Narcotics|Traffic|Fire|"
    "Rescue|Emergency|Dispatch|Records|Internal|Affairs|Quillfield"
)
_NAME_WORD = rf"(?-i:(?!(?:{_NOT_NAMES})\b)[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?)"
_RANKS = (
    "Officer", "Sgt.", "Sgt", "Sergeant", "Deputy", "Detective", "Det.", "Chief", "Lt.",
    "Captain", "Capt.", "Cpl.", "Trooper", "Agent", "Judge", "Dr.", "K9", "Partner",
)  # fmt: skip
_NOT_AFTER_RANK = "".join(f"(?<!{rank.replace('.', '[.]')} )" for rank in _RANKS)

# A person's full name: two capitalised words (optionally a middle initial), not a rank's.
NAME = rf"{_NOT_AFTER_RANK}\b{_NAME_WORD}(?:\s+(?-i:[A-Z])\.)?\s+{_NAME_WORD}\b"
# One capitalised word straight after a role word: "the victim, Maria,".
FIRST_NAME = rf"\b{_NAME_WORD}\b"

DIGIT_WORD = r"(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)"
STREET_ADDRESS = (
    r"\b\d{1,6}\s+(?:[NSEW]\.?\s+)?(?-i:(?:[A-Z][a-z]+\s+){1,3})"
    r"(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Dr|Drive|Ln|Lane|Ct|Court|Way|Pl|Place|"
    r"Ter|Terrace|Pkwy|Parkway|Cir|Circle|Hwy|Highway)\b\.?"
    r"|\b\d{2,5}\s+block\s+of\s+\w+"
)
PHONE = (
    r"(?<![\w-])(?:\+?1[-. ]?)?\(?\d{3}\)?[-. ]\d{3}[-. ]\d{4}(?![\w-])"
    r"|(?<![\w-])\d{3}[-.]\d{4}(?![\w-])"
    rf"|\b(?:{DIGIT_WORD}[\s,.-]*){{6}}{DIGIT_WORD}\b"
)
# Keyword runs are bounded ({0,6}): "plate plate plate ..." would otherwise make every
# start consume the rest of the run (quadratic time).
LICENSE_PLATE = (
    r"\b(?:plates?|tags?|license|licence|registration)\b(?:\s+(?:number|no\.?|#|was|is|of|reads?|"
    r"plate)){0,6}\s*:?\s*#?"
    r"(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])(?-i:[A-Z0-9]{2,4}[- ]?[A-Z0-9]{2,4})\b"
    r"|(?-i:\b\d[A-Z]{3}\d{3}\b|\b[A-Z]{3}-\d{3,4}\b|\b[A-Z]{2}\d[- ]?[A-Z]\d{3}\b)"
    r"|\b(?:plates?|tags?)\b\W{0,3}(?-i:(?:[A-Z0-9][ -]){4,7}[A-Z0-9])\b"
    r"|\b(?:plates?|tags?) (?:read|reads|said|says)\s*:?\s*[\"']?(?-i:[A-Z0-9]{3,8})\b"
)
CASE_NUMBER = (
    r"\b(?:case|report|incident|file|complaint|citation|docket|cad|dr|rms)\s*"
    r"(?:no\.?|number|num|#)\s*:?\s*\(?#?\s*[A-Z0-9][A-Z0-9-]{3,}"
    r"|\b(?:case|report|incident|file|complaint)s?\b.{0,30}?\b\d{2}-\d{5,7}\b"
    r"|\b(?:case|report|incident|file)\s+#?\s*\d{2,4}-\d{3,7}\b"
    r"|(?-i:\b[A-Z]{1,3}-\d{2,4}-\d{3,7}\b)|#\s?\d{2}-\d{3,7}\b"
)
BADGE_NUMBER = (
    r"\bbadge\s*(?:no\.?|number|num|#)?\s*:?\s*#?\s*\d{2,6}\b"
    rf"|\bbadge\s*(?:no\.?|number|num|#)\s*:?\s*(?:{DIGIT_WORD}[\s-]*){{1,5}}{DIGIT_WORD}\b"
)
# A unit's radio call sign: "unit 2-K9-4", "car 3-Adam-12", "call sign 1A-22" (a letter, a
# digit and a hyphen, so "unit 2-3" or "car 54" are not one).
CALL_SIGN = (
    r"\b(?:unit|car|call ?sign)\s*#?\s*(?=[0-9A-Za-z-]{0,12}\d)(?=[0-9A-Za-z-]{0,12}[A-Za-z])"
    r"(?-i:[0-9A-Z][0-9A-Za-z]{0,4}(?:-[0-9A-Z][0-9A-Za-z]{0,4}){1,2})\b"
)
# A call sign in the phonetic alphabet: "Lincoln-14", "2-Sam-6", "Sierra-14" (the hyphen is
# required, so "golf 18" or "Mike 12 years old" are not one).
PHONETIC_CALL_SIGN = (
    r"\b(?:\d{1,2}-)?(?:adam|boy|charlie|david|edward|frank|george|henry|ida|john|king|lincoln|"
    r"mary|nora|ocean|paul|queen|robert|sam|tom|union|victor|william|x-?ray|young|zebra|alpha|"
    r"bravo|delta|echo|foxtrot|hotel|india|juliet|kilo|lima|mike|november|oscar|papa|quebec|"
    r"romeo|sierra|tango|whiskey|yankee|zulu)-\d{1,3}\b"
)
DATE_OF_BIRTH = (
    r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\s*:?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\b(?:dob|d\.o\.b\.|date of birth)\b"
    # Spanish: "nacido el 3/11/1988", "fecha de nacimiento"
    r"|\b(?:nacid[oa]s?|naci[oó])\s+(?:el\s+)?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\bfecha de nacimiento\b"
)
# An employee's number by its own name: "Emp no. 2 0 9 3 1", "employee ID 20931", "número de
# empleado 4471"; a badge number after a rank and name ("Ofc. Kim Salas (#3318)"); Spanish
# "placa" with a number ("mi placa es la 3381"; placa is also a licence plate, either way an
# identifier).
EMPLOYEE_NUMBER = (
    r"\b(?:emp(?:loyee)?\.?\s*(?:no\.?|number|num|#|id)|employee\s+id|staff\s+(?:no\.?|number|id)"
    r"|n[uú]mero\s+de\s+empleado|id\s+de\s+empleado)\s*:?\s*#?\s*\d(?:[\s-]?\d){2,8}\b"
)
BADGE_AFTER_NAME = (
    r"\b(?:ofc|officer|deputy|dep|sgt|sergeant|cpl|corporal|lt|lieutenant|capt|captain|det|"
    r"detective|trooper|tpr|agente|oficial|sargento)\.?\s+(?-i:(?:[A-Z][\w'-]+\s+){0,2}[A-Z][\w'-]+)"
    r"\s*[(,]\s*#\s?\d{2,6}\b"
)
PLACA_NUMBER = r"\bplaca\s*(?:es\s+)?(?:la\s+|el\s+|n[uú]mero\s+|no\.?\s*|#\s*)?:?\s*\d{2,6}\b"
# A number given right after the word for a phone, in the groups Latin American numbers use
# ("su cel es 555 01 58", "whatsapp 55 1234 5678").
PHONE_AFTER_WORD = (
    r"\b(?:cel(?:ular)?|tel(?:[eé]fono)?|whats(?:app)?|cell|phone)\b(?:\s+(?:es|is|de\s+\w+))?"
    r"\s*:?\s*(?P<value>\+?\d{2,4}(?:[\s.-]\d{2,4}){2,3})\b"
)  # the named group is what redaction replaces
# The local part is bounded at RFC 5321's 64 characters: unbounded, every start inside a
# long run of "a.a.a..." rescans the run to its end (quadratic time).
EMAIL = r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b"


def near(first: str, second: str, gap: int = 60) -> str:
    """Either fragment followed by the other within `gap` characters."""
    return rf"(?:{first}).{{0,{gap}}}?(?:{second})|(?:{second}).{{0,{gap}}}?(?:{first})"


def words(*alternatives: str) -> str:
    """A whole-word alternation."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"


# ------------------------------------------------------------------ shapes redaction also catches
# Used by bot/core/redact.py on the light view of a draft (look-alike letters folded, invisible
# characters dropped) after written-out numbers have become digits ("forty-five" -> "45",
# "five five five" -> "555"). Each keeps what it replaces in a group named "value". Every
# repetition is bounded, so no pattern costs more than linear time.
# Ten or eleven digits in the usual groups with any (or no) separators: "5551234567",
# "555, 123, 4567" (as spelled-out digits become), "(555)1234567"; or ten digits one by one.
PHONE_LOOSE = (
    r"(?<![\w+-])(?P<value>(?:1[\s.-]?)?\(?\d{3}\)?[\s,.-]{0,2}\d{3}[\s,.-]{0,2}\d{4})"
    r"(?![\w/-])|(?<![\w+-])(?P<single>(?:\d[ .-]){9}\d)(?![\w/-])"
)
# International numbers: "+44 20 7946 0958", "+52 (55) 1234-5678", "0044 20 7946 0958",
# "+442079460958".
PHONE_INTERNATIONAL = (
    r"(?<![\w+])(?P<value>(?:\+|00|011[\s.-]?)\d{1,3}(?:[\s.-]?\(\d{1,5}\)|[\s.-]\d{1,5}){1,6}"
    r"|\+\d{8,15})(?![\w-])"
)
# A plate after its keyword with spaces inside it: "plate 7 ABC 123", "tag reads ABC 12 34".
PLATE_SPACED = (
    r"\b(?:plates?|tags?|license|licence|registration)\b(?:\s+(?:number|no\.?|#|was|is|of|"
    r"reads?|read|says|said|plate)){0,4}\s*[:#]?\s*[\"']?"
    r"(?P<value>(?-i:[A-Z0-9]{1,4}(?:[ -][A-Z0-9]{1,4}){1,6}))\b"
    r"|(?P<bare>(?-i:\b\d[ -][A-Z]{3}[ -]?\d{3}\b|\b\d[A-Z]{3}[ -]\d{3}\b))"
)
# Dispatch and incident numbers: "CAD 24-118822", "CFS #2024-00123", "event no. 24118822".
CAD_NUMBER = (
    r"\b(?:cad|cfs|event|incident|dispatch|ticket|rms|inc|arrest|booking|warrant|citation)"
    r"(?:\s*(?:no\.?|number|num|#|id))?\s*[:#]?\s*"
    r"(?P<value>(?:[A-Z]{1,4}-?)?\d{2,4}-\d{3,8}|\d{6,12})\b"
    r"|\bcall\s*(?:no\.?|number|num|#)\s*:?\s*(?P<call>\d{2,4}-?\d{3,8})\b"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
# Birth dates written with the month's name: "born January 5th, 1990", "DOB 5 March 1990",
# "date of birth is the fifth of March, nineteen ninety" (numbers already digits).
DOB_WRITTEN = (
    r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?|birth ?day(?: is)?)\s*(?:is|was)?\s*:?\s*"
    rf"(?:the\s+)?(?P<value>{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+(?:of\s+)?'?\d{{2,4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?:,?\s+'?\d{{2,4}})?)\b"
)
_STREET_TYPE = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|court|ct|way|place|pl|"
    r"terrace|ter|parkway|pkwy|circle|cir|highway|hwy)"
)
# Words that are never part of a street's name, so "5 cops on the street" is not an address.
_NOT_STREET = (
    r"the|a|an|on|of|at|in|to|and|or|our|my|his|her|their|this|that|from|for|with|by|near|"
    r"down|up|off|across|along|into|onto|over|cops?|officers?|deputies|people|cars?|units?|"
    r"blocks?|miles?|minutes?|hours?|days?|years?|times?|men|women|kids?|suspects?|victims?"
)
# An address in any case: "45 elm street", "forty-five Elm St." once numbers are digits.
# Lower-case street names take the common street types only ("one quiet place" is not one).
ADDRESS_LOOSE = (
    rf"\b(?P<value>\d{{1,6}}\s+(?:[nsew]\.?\s+)?(?:(?!(?:{_NOT_STREET}|way)\b)[a-z][a-z'-]{{1,20}}"
    r"\s+){1,3}(?:street|st|avenue|ave|road|rd|boulevard|blvd|drive|dr|lane|ln|ct|pl|pkwy|"
    r"hwy)\b\.?)"
)
# Names, in a draft about an enforcement matter only (redact.py decides).
_TITLES_NOT_NAMES = (
    r"President|Vice|Secretary|Treasurer|Chair|Chairman|Director|Manager|Coordinator|"
    r"Commissioner|Supervisor|Sheriff|Inc|LLC|Jr|Sr|English|Spanish|French|German|Chinese|"
    r"Vietnamese|Korean|Arabic|Russian|Italian|Portuguese|Tagalog|Hindi|Japanese|Polish"
)
_ANY_CASE_WORD = (
    rf"(?!(?:{_NOT_NAMES}|{_TITLES_NOT_NAMES})\b)"
    r"(?-i:[A-Z][a-z]+|[A-Z]{2,})(?:[-'](?-i:[A-Z][A-Za-z]+))?"
)
_SURNAME_CAPS = r"(?-i:[A-Z]*[AEIOUY][A-Z]*)"  # an acronym (FTO, MPD) seldom has a vowel
# "LOPEZ, Maria", "Lopez, Maria" (not a list: "Spanish, Vietnamese, ASL"), and, inside a
# sentence, "Tyler REED".
NAME_ANY_CASE = (
    rf"\b(?-i:(?=[A-Z])){_NOT_AFTER_RANK}(?P<value>{_ANY_CASE_WORD},\s*"
    rf"(?!(?:{_TITLES_NOT_NAMES})\b){_NAME_WORD})\b"
    r"(?!\s*,\s*(?-i:[A-Z]))"
    rf"|(?<=[a-z,;:] )(?P<caps>{_NAME_WORD}\s+(?=(?-i:[A-Z]{{3,}})\b){_SURNAME_CAPS})\b"
)
# Lower-case words that are not a name after a role word, a title or an arrest.
_NOT_LOWER_NAMES = (
    r"the|a|an|and|or|but|of|in|on|at|to|for|from|with|by|as|is|was|are|were|be|been|being|"
    r"has|had|have|who|whom|whose|that|this|these|those|which|what|when|where|while|after|"
    r"before|during|because|since|then|than|so|if|not|no|yes|he|she|they|him|her|them|his|"
    r"hers|their|it|its|we|us|our|you|your|i|me|my|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|several|some|all|both|each|every|another|other|last|next|today|tonight|"
    r"yesterday|tomorrow|morning|afternoon|evening|night|earlier|later|now|just|also|still|"
    r"again|here|there|did|does|do|will|would|could|should|may|might|must|can|said|says|say|"
    r"told|tells|reported|reports|stated|states|suffered|sustained|received|taken|transported|"
    r"treated|released|injured|hurt|killed|died|shot|stabbed|robbed|assaulted|arrested|"
    r"booked|charged|detained|cited|fled|ran|left|went|came|got|gets|get|remains|remained|"
    r"minor|serious|critical|stable|fatal|non-life|life|threatening|injuries|injury|wounds?|"
    r"condition|hospital|scene|area|home|house|car|vehicle|officers?|police|deputies|deputy|"
    r"suspects?|victims?|witness(?:es)?|men|women|man|woman|male|female|juveniles?|adults?|"
    r"teens?|boys?|girls?|kids?|people|persons?|family|families|parents?|mother|father|"
    r"brother|sister|son|daughter|wife|husband|friends?|neighbou?rs?|driver|passenger|"
    r"without|within|about|around|near|inside|outside|into|onto|over|under|up|down|out|off|"
    r"away|back|per|via|soon|immediately|safely|very|only|even|too|well|"
    r"doing|being|having|going|coming|trying|looking|asking|thanks|thank|please|prayers?|"
    r"tried|attempted|allegedly|reportedly|unknown|unidentified|identified|named|called|"
    r"declined|refused|asked|wants|wanted|needs|needed|requested|kept|keeps|made|makes|"
    r"never|always|already|finally|actually|really|probably|clearly|deserve|deserves|"
    r"pending|involved|approximately|age|aged|years?|old|yo|ago|any|anyone|someone|"
    r"nobody|everyone|more|less|many|few|much|first|second|third|new|young|older|younger|"
    r"services?|advoca\w*|assistance|support|resources?|rights|line|hotline|programs?|"
    r"training|diversion|fund|funds|compensation|unit|center|statements?|descriptions?|"
    r"info|information|photos?|pictures?|names?|faces?|identity|specialists?|court|case|"
    r"cases|interview|report|reports|advocates?|count|counts|mugshots?|booking"
)
_LOWER = rf"(?!(?:{_NOT_LOWER_NAMES})\b)(?-i:[a-z][a-z'-]{{1,29}})\b"
_UPPER = rf"(?!(?:{_NOT_LOWER_NAMES})\b)(?-i:[A-Z][A-Z'-]{{1,29}})\b"
# Two words written alike: "maria lopez", "MARIA LOPEZ" ("Arrested Development marathon" is
# not a name; capitalised names are NAME's).
_WORD_PAIR = rf"(?:{_LOWER}\s+{_LOWER}|{_UPPER}\s+{_UPPER})"
# What follows a name that is not cued by "named": punctuation, the end, or a word that goes
# on the sentence ("victim maria lopez was hurt", "arrested tyler reed for theft"); the
# spaces are bounded, so a run of blank lines is not rescanned from each of its starts.
_NAME_END = (
    r"(?=\s{0,3}(?:[,.;:!?)]|$)|\s{1,3}(?:was|is|has|had|who|and|for|at|on|in|after|of|with|fled|"
    r"told|said|yesterday|today|tonight|this|last|earlier)\b)"
)
# "victim maria lopez", "suspect named lopez", "Mrs. lopez", "arrested john smith".
NAME_LOWER_CASE = (
    r"\b(?:victim|suspect|witness|arrestee|complainant|juvenile|offender|defendant|informant|"
    r"decedent|deceased|reporting party)(?:s|'s|s')?[,:]?\s+"
    rf"(?:(?:named|called|identified as|id'?d as|name is|name was)\s+"
    rf"(?P<cued>{_WORD_PAIR}|{_LOWER}|{_UPPER})|(?P<value>{_WORD_PAIR}){_NAME_END})"
    rf"|(?:\b(?-i:Mr|Mrs|Ms|Miss|Mister|Dr|MR|MRS|MS)\.?|\b(?:mr|mrs|ms|dr)\.)\s+"
    rf"(?P<titled>{_WORD_PAIR}|{_LOWER}|{_UPPER})"
    rf"|\b(?:arrested|booked|charged|detained|apprehended|cited|identified|named)\s+"
    rf"(?P<arrested>{_WORD_PAIR}){_NAME_END}"
)
_AT_STRONG = r"(?:[(\[{<]\s*at\s*[)\]}>]|@)"
_DOT_WORD = r"(?:[(\[{<]\s*dot\s*[)\]}>]|\bdot\b)"
_TLD = r"(?:com|net|org|edu|gov|mil|us|io|co|uk|info|biz|me|ca|tv|ly|app|dev)\b"
_MAILBOX = (
    r"(?:gmail|googlemail|yahoo|hotmail|outlook|live|msn|aol|icloud|me|mac|protonmail|proton|"
    r"comcast|att|verizon|sbcglobal|gmx|mail|zoho|yandex)"
)
# Possessive ({1,64}+): a run of word characters is never split to retry what follows it.
_LOCAL = rf"[\w+-]{{1,64}}+(?:(?:\s*{_DOT_WORD}\s*|\.)[\w+-]{{1,64}}+){{0,3}}"
# A local part that reads as an address even after a plain "at": joined by dots or "dot",
# or with a digit, "_" or "+" ("maria.lopez", "m dot lopez", "mlopez84").
_LOCAL_MARKED = (
    rf"[\w+-]{{1,64}}+(?:(?:\s*{_DOT_WORD}\s*|\.)[\w+-]{{1,64}}+){{1,3}}"
    r"|(?=[a-z-]{0,63}[\d_+])[\w+-]{1,64}+"
)
_DOMAIN = (
    rf"[\w-]{{1,63}}+(?:(?:\s*{_DOT_WORD}\s*|\.)[\w-]{{1,63}}+){{0,2}}?"
    rf"(?:\s*{_DOT_WORD}\s*|\.){_TLD}"
)
# E-mail addresses written out: "maria.lopez at gmail dot com", "mlopez (at) gmail (dot) com",
# "m dot lopez at outlook.com", "tyreed at yahoo.com" (a plain "at" needs a marked local part
# or a mail provider, so "Apply at quillfield.example.gov" stays).
EMAIL_WRITTEN = (
    rf"\b(?P<value>(?:{_LOCAL})\s*{_AT_STRONG}\s*{_DOMAIN}"
    rf"|(?:{_LOCAL_MARKED})\s+at\s+{_DOMAIN}"
    rf"|[\w+-]{{1,64}}+\s+at\s+{_MAILBOX}(?:\s*{_DOT_WORD}\s*|\.){_TLD})"
)
