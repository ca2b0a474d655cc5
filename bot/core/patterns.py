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
DATE_OF_BIRTH = (
    r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\s*:?\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b"
    r"|\b(?:dob|d\.o\.b\.|date of birth)\b"
)
# The local part is bounded at RFC 5321's 64 characters: unbounded, every start inside a
# long run of "a.a.a..." rescans the run to its end (quadratic time).
EMAIL = r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b"


def near(first: str, second: str, gap: int = 60) -> str:
    """Either fragment followed by the other within `gap` characters."""
    return rf"(?:{first}).{{0,{gap}}}?(?:{second})|(?:{second}).{{0,{gap}}}?(?:{first})"


def words(*alternatives: str) -> str:
    """A whole-word alternation."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"
