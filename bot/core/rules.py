"""The deterministic rule table: what the engine looks for, how serious it is, what to fix.

Each `Rule` is data. `match_rules` (through `RuleScanner`) alone reads the table: a rule fires when
one of its patterns matches, every `requires` pattern matches somewhere in the draft, no
`unless` pattern matches, and the request's account and incident flag fit its filters.
The vocabularies below are deliberately broad phrase lists; a department tunes them here.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bot.core.models import Account, CheckRequest, Finding, Severity
from bot.core.patterns import (
    BADGE_AFTER_NAME,
    BADGE_NUMBER,
    CALL_SIGN,
    CASE_NUMBER,
    DATE_OF_BIRTH,
    EMAIL,
    EMPLOYEE_NUMBER,
    FIRST_NAME,
    LICENSE_PLATE,
    NAME,
    PHONE,
    PHONE_AFTER_WORD,
    PHONETIC_CALL_SIGN,
    PLACA_NUMBER,
    STREET_ADDRESS,
    near,
    words,
)
from bot.core.prefilter import PatternSet
from bot.core.text import NormalizedText

TextView = Literal["strict", "light"]

# fmt: off
# ------------------------------------------------------------------ shared vocabularies
ENFORCEMENT = words(
    r"arrest\w*", r"suspects?", r"victims?", r"booked", r"charged", r"detain\w*", r"custody",
    r"cited", r"citation", r"crash(?:es)?", r"collision", r"burglar\w*", r"robber\w*",
    r"assault\w*", r"shooting", r"stabbing", r"homicide", r"murder\w*", r"theft", r"stole\w*",
    r"shoplift\w*", r"vandal\w*", r"DUI", r"DWI", r"warrants?", r"investigat\w*", r"scene",
    r"call(?:ed)? for service", r"responded", r"domestic", r"overdose\w*", r"dispatch\w*",
    r"complain\w*", r"incident", r"crime", r"offender", r"perp\w*", r"pursuit", r"traffic stop",
    r"pulled (?:him|her|them|over)", r"caught", r"handcuff\w*", r"cuffs", r"jail", r"court",
)
CRITICAL_INCIDENT = words(
    r"active shooter", r"shots fired", r"officer[- ]involved shooting", r"OIS", r"officer down",
    r"hostages?", r"barricaded", r"standoff", r"manhunt", r"mass casualty", r"bomb threat",
    r"lockdown", r"locked down", r"critical incident", r"shelter[- ]in[- ]place", r"explosion",
    r"evacuat\w*", r"amber alert",
)
# Words that tie a post to an unfolding incident (used only in incident mode).
INCIDENT_TOPIC = words(
    r"safe", r"safety", r"pray\w*", r"thoughts", r"checked on", r"worried", r"scene",
    r"officers?", r"police", r"cops?", r"updates?", r"avoid", r"closed", r"closures?",
    r"shoot\w*", r"shots", r"gun\w*", r"suspects?", r"victims?", r"injur\w*", r"hurt",
    r"wounded", r"hospital", r"lockdown", r"shelter\w*", r"evacuat\w*", r"incident",
    r"situation", r"happening", r"breaking", r"stay (?:away|inside|home|clear|put)", r"area",
    r"mall", r"plaza", r"school", r"standoff", r"fire", r"crash", r"explosion", r"sirens?",
    r"helicopter", r"swat", r"roads?", r"route", r"traffic", r"detour", r"chaos", r"crazy",
    r"scary", r"heroes", r"first responders", r"thank you", r"thanks", r"praying", r"news",
) + "|🙏|💙|😢"
# A described attachment, as officers type it: "[pic of the table] ...". Open: the caller
# adds what the description must contain, or "\]" for the whole note.
PHOTO_NOTE = r"\[(?:photo|pic|picture|video|image|selfie)\b[^\]]{0,200}?"
DRILL = words(r"drill", r"training", r"exercise", r"scenario", r"class", r"course", r"academy")
MEDIA = words(
    r"photos?", r"pics?", r"pictures?", r"videos?", r"footage", r"clips?", r"images?",
    r"screenshots?", r"stills", r"still (?:photo|image|frame|shot)s?",
    r"recording", r"selfie", r"snap", r"posting", r"post",
    r"sharing", r"share", r"upload\w*", r"here'?s", r"watch", r"check out", r"look at",
)
RANK = (
    r"(?:officer|ofc|sgt|sergeant|sarge|deputy|detective|det|corporal|cpl|lieutenant|lt|"
    r"captain|capt|chief|trooper|inspector|commander)"
)
# A rank followed by a capitalised name, as in a signature: "Sgt. Tamsin Wobblecourt".
RANK_AND_NAME = rf"\b{RANK}\.?\s+(?-i:[A-Z][\w'-]+)"
ON_DUTY = words(
    r"in (?:my |full |dress |the )?uniform", r"uniformed", r"on[- ]duty", r"on shift",
    r"while working", r"at work (?:today|right now)", r"in (?:my|the) (?:patrol car|squad car|"
    r"cruiser|unit)", r"on the clock", r"(?:the|our) department (?:endorses|supports|backs)",
    r"on behalf of (?:the|our) department", r"department (?:logo|seal|patch)", r"badge",
)
TITLE_USE = (
    words(
        r"as an? (?:\w+ )?(?:police )?(?:officer|cop|deputy|detective|sergeant|trooper|"
        r"lieutenant|captain|corporal)", r"as (?:your|our) (?:police chief|chief|sheriff)",
        r"(?:i'?m|i am) an? (?:\w+ )?(?:police )?(?:officer|cop|deputy|detective|sergeant|"
        r"trooper|lieutenant|captain|corporal)", r"mention (?:that )?i'?m an?",
        r"cop[- ]approved", r"police[- ]approved", r"officer[- ]approved",
    )
    + rf"|{RANK_AND_NAME}\b.{{0,40}}?\b(?:PD|police department|sheriff'?s office|here)\b"
    + rf"|{RANK_AND_NAME}\s+(?:recommends|approves|endorses|says)\b"
    + rf"|^\W*{RANK}\.? here\b"
)
POLITICAL = words(
    r"vote (?:for|yes|no|against)", r"voting (?:for|yes|no|against)", r"vote (?:them|him|her) "
    r"out", r"re-?elect\w*", r"elect \w+", r"campaign\w*", r"candidates?", r"endorse\w*",
    r"ballot", r"#vote\w*", r"recall (?:the|our) \w+", r"petition to recall",
    r"sign(?:ed)? the petition", r"(?:support|back)\w* \w+ for (?:mayor|sheriff|council|governor|"
    r"senate|congress|president|da|district attorney|judge|commissioner)",
    r"(?:for|as) (?:city )?(?:mayor|sheriff|governor|senator|president|district attorney|"
    r"council)", r"(?:democrat|republican|libertarian|green) party",
    r"donate to \w+(?:'s)? campaign", r"yard signs?", r"proposition \d+", r"prop \d+",
    r"measure [A-Z0-9]+",
)
COLLEAGUE = words(
    r"sergeant'?s?", r"sarge'?s?", r"sgt'?s?", r"lieutenant'?s?", r"lt'?s?", r"captain'?s?",
    r"partner'?s?", r"co-?worker'?s?", r"colleague'?s?", r"chief'?s?", r"supervisor'?s?",
    r"fto'?s?", r"squad ?mates?'?s?", r"fellow officers?'?s?", r"corporal'?s?",
    rf"{RANK}\.? (?:[\w'-]+ ){{0,2}}[\w-]+'s",
)
PRIVATE_LIFE = words(
    r"home address", r"lives (?:at|on|in|near|over|by)", r"where (?:he|she|they) lives?",
    r"house (?:is|on|at)", r"(?:'s|his|her|their) (?:house|home|place)", r"kids'? school",
    r"(?:kids|children|son|daughter)(?:,| \w+)? (?:go|goes|attends?|started|starts) (?:at |to )?",
    r"drives? an?", r"(?:his|her|their|wife'?s|husband'?s) (?:red |blue |black |white |silver |"
    r"new )?(?:car|truck|jeep|suv|van|minivan|plate|vehicle)", r"license plate",
    r"elementary", r"middle school", r"high school", r"daycare",
) + "|" + STREET_ADDRESS
VICTIM = words(
    r"victims?'?s?", r"vics?", r"victimas?", r"survivors? of", r"complainant",
    r"(?:was|were|got|get|been|being) (?:\w+ )?(?:assaulted|raped|robbed|stabbed|shot|killed|"
    r"molested|abused|attacked|kidnapped|carjacked|beaten|mugged|jumped|murdered|hit|run over)",
    r"(?:woman|man|lady|guy|girl|boy|person|family|couple|kid|teen|driver|cyclist|pedestrian)"
    r" (?:who was |that was |who got |that got )?(?:assaulted|raped|robbed|stabbed|shot|killed|"
    r"attacked|kidnapped|carjacked|beaten|mugged|murdered|injured|hit)",
    r"what happened to", r"(?:unfortunate|injured|aggrieved) party", r"purse (?:got )?snatched",
    r"(?:man|men|guy|woman|person|people|driver|coach|teacher|boyfriend|ex) (?:who|that) "
    r"(?:attacked|assaulted|raped|robbed|stabbed|shot|abused|beat|hurt|molested|stalked|groped|"
    r"carjacked|kidnapped) (?:her|him|them)",
    r"(?:stabbing|shooting|assault|robbery|carjacking|homicide|murder|break-in|burglary|"
    r"hit-and-run|asalto) (?:victim|survivor)s?",
    r"the (?:girl|boy|kid|child|woman|man|lady|guy|family|mom|dad|teen) from the\b.{0,40}?"
    r"\b(?:call|case|scene|incident|crash|domestic|shooting|fire|accident)",
    # Spanish (accents are folded before matching): "su esposo la golpeo", "fue asaltada"
    r"(?:lo|la|los|las|le|les) (?:\w+ )?(?:golpe(?:o|aron|a)|agredi(?:o|eron)|asalt(?:o|aron)|"
    r"apunal(?:o|aron)|viol(?:o|aron)|abus(?:o|aron)|mat(?:o|aron)|balear(?:on)?|atac(?:o|aron)|"
    r"pego|pegaron)",
    r"(?:fue|fueron|ha sido|han sido) (?:\w+ )?(?:golpead|agredid|asaltad|violad|apunalad|"
    r"atacad|balead|abusad|asesinad)[ao]s?",
)
WITNESS = words(
    r"witness(?:es)?'?s?", r"eyewitness\w*", r"reporting party", r"who called 911",
    r"testif(?:y|ying|ied|ies)", r"saw the (?:whole|entire) \w+", r"(?:giving|gave|give) "
    r"(?:a|his|her) statement", r"called (?:it|the \w+) in", r"called in (?:the|a|that)",
    r"testigos?", r"t(?:ook|akes|aking) the stand", r"gave (?:us|police|officers) (?:a|the) "
    r"(?:\w+ )?description",
    # Spanish, accents folded: "la senora que llamo al 911", "el vecino que reporto el robo"
    r"(?:que|quien|quienes) (?:nos )?(?:llamo|llamaron|marco|marcaron) (?:al|a la) "
    r"(?:911|policia|linea)", r"(?:que|quien|quienes) (?:reporto|reportaron|denuncio|"
    r"denunciaron) (?:el|la|lo|los|las)",
)
SUSPECT = words(
    r"suspects?'?s?", r"arrestees?", r"arrested", r"booked", r"charged with", r"detained",
    r"in custody", r"perps?", r"perpetrators?", r"offenders?", r"the accused", r"defendants?",
    r"wanted for", r"mug ?shots?", r"booking photo", r"picked up", r"locked up", r"cuffed",
)
NAME_A_PERSON = words(
    r"name (?:the|a|this|that|him|her|them)", r"post (?:his|her|their) (?:name|photo|picture|"
    r"mug ?shot)", r"(?:his|her|their) name (?:is|was)",
)
IDENTIFIER = (
    rf"{NAME}|{STREET_ADDRESS}|\bname (?:is|was)\b|\blives (?:on|at|in|near|by|around|next "
    r"to|across)\b|\bworks (?:\w+ )?at\b|\bgoes to (?:church|school|class)\b|"
    r"\b(?:her|his|their) (?:house|home|apartment|car|school|job|"
    r"work|kids?|daughter|son|husband|wife|boyfriend|girlfriend)\b|"
    r"\b(?:photo|pic|picture|video|image|selfie)s? (?:of|with) (?:the|her|him|them)\b|"
    r"(?-i:\b(?:Mr|Mrs|Ms|Miss|Dr)\.? [A-Z][a-z]+)|\b(?:at|on) the corner of\b|"
    r"(?-i:\b(?:Sra|Sr|Srta|[Ss]enora|[Ss]enor|[Ss]enorita|[Dd]ona|[Dd]on)\.? [A-Z][a-z]+)|"
    r"(?-i:\b(?:calle|avenida|[Aa]v\.|camino) [A-Z][a-z]+)|"
    r"\b(?:the|a|our) (?:mail ?(?:carrier|man|woman)|mailman|postman|delivery (?:driver|guy)|"
    r"cashier|clerk|bartender|barista|waitress|waiter|manager|janitor|crossing guard|"
    r"bus driver|neighbou?r|nurse|teacher|pastor|owner)\b.{0,20}?\b(?:on|at|from|of) "
    r"(?-i:[A-Z][a-z]+)|"
    r"\bmy (?:neighbou?r|cousin|coworker|co-worker|friend|brother|sister|uncle|aunt|"
    r"kid'?s (?:teacher|coach|school|friend)|landlord|tenant)\b|\b(?:from|at) my kid'?s school\b"
)
JUVENILE = (
    r"\b(?:1[0-7]|[1-9])[- ](?:year|yr)s?[- ]old\b|\bage[sd]? (?:1[0-7]|[1-9])\b|"
    r"\b(?:1[0-7]|[1-9]) ?(?:yo|y/o)\b|"
    r"(?<!like )\b(?:she|he)(?:'s| is) (?:only |just )?(?:1[0-7]|[1-9])\b(?! ?(?:am|pm|:|%|years? "
    r"on))|"
    r"\b(?:qb|quarterback|student|freshman|sophomore|player|kid|boy|girl)\b.{0,30}?\bfrom "
    r"\w+ (?:high|middle|elementary|jr\.? high)\b|"
    + words(r"juveniles?", r"(?:a|the|two|three|four|five|several) minors?(?! (?:injur\w*|"
            r"damage|crash\w*|accident|collision|offen[cs]e|infraction|traffic|cuts))",
            r"teens?", r"teenagers?", r"juvie",
            r"(?:high|middle|elementary|junior high) school(?:er|ers)? (?:student|kid|boy|girl)s?",
            r"student at \w+ (?:high|middle|elementary)", r"kids? from \w+ (?:high|middle)")
)
JUVENILE_ENFORCEMENT = words(
    r"arrest\w*", r"suspects?", r"detain\w*", r"custody", r"cited", r"charged", r"booked",
    r"shoplift\w*", r"vandal\w*", r"stole\w*", r"theft", r"runaway", r"victims?", r"assault\w*",
    r"overdose\w*", r"fight", r"caught", r"cuffs", r"handcuff\w*", r"probation",
    r"(?<!partner in )crime", r"investigat\w*", r"warrant", r"juvie", r"crash\w*", r"abuse\w*",
    r"missing", r"trespass\w*",
    r"DUI", r"drugs?", r"weapon", r"gun", r"knife", r"graffiti", r"tagging", r"car ?jack\w*",
    r"domestic", r"call", r"jumped",
)
# Masking characters people put inside slurs ("r*tard", "tr@nny").
_V = r"[aeiouy*@#!1340.]"
DEPARTMENT_LINE = words(r"non-?emergency", r"tip ?line", r"hotline", r"crime ?stoppers", r"911")
# A public office's number, named right before it: "call Records at 555-0150", "the PIO line,
# 555-0100", "victim services 555-0199". Not "dispatch" or "HR": a colleague's own cell is
# often given that way.
PUBLIC_OFFICE_NUMBER = (
    r"\b(?:pio|public information(?: office)?|victim services?|victim advocates?|advocates|"
    r"human resources|recruiting|recruitment|records(?: office| unit| division)?|media line|"
    r"press line|main (?:line|number|office)|front desk|crisis line|help ?line|shelter|"
    r"l[ií]nea de denuncias|servicios a v[ií]ctimas|recursos humanos|reclutamiento|oficina de "
    r"prensa)\b[^\n]{0,40}?(?:" + PHONE + r")"
)
# fmt: on


@dataclass(frozen=True)
class Rule:
    code: str
    severity: Severity
    topic: str  # the policy subject, as a person would name it
    query: str  # retrieval query that finds the policy passage this rule enforces
    message: str  # what the finding means; never repeats the draft's own words
    fix: str
    patterns: tuple[str, ...]
    requires: tuple[str, ...] = ()  # each must match somewhere in the draft
    unless: tuple[str, ...] = ()  # any match suppresses the rule
    accounts: tuple[Account, ...] | None = None  # None: every account
    incident: bool | None = None  # True: only in incident mode; None: always
    view: TextView = "strict"  # "light" keeps digits as typed (identifiers)
    flags: int = field(default=re.IGNORECASE | re.DOTALL)

    @cached_property
    def compiled(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, self.flags) for pattern in self.patterns)

    @cached_property
    def compiled_requires(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, self.flags) for pattern in self.requires)

    @cached_property
    def compiled_unless(self) -> tuple[re.Pattern[str], ...]:
        return tuple(re.compile(pattern, self.flags) for pattern in self.unless)

    def applies_to(self, request: CheckRequest) -> bool:
        if self.accounts is not None and request.account not in self.accounts:
            return False
        return self.incident is None or self.incident == request.incident


PERSONAL_OR_UNKNOWN: tuple[Account, ...] = ("personal", "unknown")
_SUSPECT_PATTERNS = (
    near(SUSPECT, NAME, 50),
    words(r"mug ?shots?", r"booking photos?"),
    near(SUSPECT, MEDIA, 30),
    near(NAME_A_PERSON, SUSPECT, 40),
)

# A social-media page or account, in English or Spanish (accents folded).
ACCOUNT_PAGE = words(
    r"(?:instagram|insta|ig|facebook|fb|tiktok|twitter|youtube|snapchat|social media) "
    r"(?:page|account|channel|handle)",
    r"(?:its|their) own (?:\w+ )?(?:page|account|channel)",
    r"(?:pagina|cuenta|canal) (?:de |en )?(?:instagram|facebook|tiktok|youtube|redes)",
)
RANK_WORD = (
    r"(?:sergeant|sgt|captain|capt|lieutenant|lt|officer|deputy|detective|chief|supervisor|"
    r"trooper|cop|commander|sheriff|sargento|capitan|teniente|agente|oficial|comandante)"
)
PIO_REFERRAL_ONLY = (
    r"^(?=[\s\S]{0,400}$)(?![\s\S]*(?:off the record|on background|between us|don'?t quote|"
    r"fuera de grabacion|entre nos|but (?:honestly|between|off)|pero (?:entre|la verdad)))"
    r"[\s\S]*\b(?:i can'?t|i cannot|i'?m not able to|i am not able to|no puedo) "
    r"(?:comment|comentar|speak to (?:that|this))\b[^.!?]{0,40}?,? (?:but|pero) (?:our|the|el|la|"
    r"nuestr[oa]) (?:\w+ ){0,3}?(?:pio|public information officer|vocer[oa]|oficina de prensa)"
    r"\b[^.!?]{0,40}?\b(?:can|will|is happy to|puede|pueden|le puede|te puede|les puede) "
    r"(?:help|ayudar)"
)
# fmt: off
RULES: tuple[Rule, ...] = (
    Rule(
        code="victim_identity", severity="do_not_post", topic="victims and witnesses",
        query="victims identity name identify protect privacy release",
        message="Identifies, or gives details that could identify, a victim.",
        fix="Remove the victim's name and every detail that could identify them (address, "
            "workplace, photo, family). Only the PIO releases victim information.",
        patterns=(near(VICTIM, IDENTIFIER, 100), r"\bvictim'?s? name\b"),
        unless=(words(r"victim (?:services|advocates?|assistance|support|resources?|rights|"
                      r"advocacy|compensation|witness program)"),),
    ),
    Rule(
        code="witness_identity", severity="do_not_post", topic="victims and witnesses",
        query="witnesses witness name identify statements protect",
        message="Identifies, or gives details that could identify, a witness.",
        fix="Remove the witness's name and anything that could identify them.",
        patterns=(near(WITNESS, IDENTIFIER, 80),),
    ),
    Rule(
        code="juvenile_identity", severity="do_not_post", topic="juveniles",
        query="juveniles minors under 18 enforcement identify name photo school",
        message="Involves a juvenile in an enforcement matter.",
        fix="Do not post about juveniles involved in enforcement, as suspects, victims or "
            "witnesses; no names, ages, schools or photos.",
        patterns=(near(JUVENILE, JUVENILE_ENFORCEMENT, 120),),
    ),
    Rule(
        code="informant_identity", severity="do_not_post", topic="confidential informants",
        query="confidential informants sources identity cooperating",
        message="Refers to an informant or confidential source.",
        fix="Remove any reference to informants or sources; their safety depends on it.",
        patterns=(
            words(r"informants?", r"snitch\w*", r"confidential sources?",
                  r"cooperating (?:witness|source|individual)s?", r"my sources?", r"our sources?",
                  r"feed(?:s|ing)? (?:info|information|intel|tips) to",
                  r"rat(?:ting|ted)? (?:on|out)", r"(?:is|was) (?:a|our|their) (?:rat|snitch|mole)",
                  r"wear(?:s|ing)? a wire", r"a little bird(?:ie)? told", r"stool ?pigeons?",
                  r"(?:my|our|favou?rite) (?:\w+ )?(?:little )?(?:birdie|canary|songbird)",
                  r"always (?:seems to )?knows? .{0,50} before (?:we|us|the cops) do",
                  r"buy (?:that|this) (?:man|guy|woman|lady) .{0,25} on the (?:city|department|"
                  r"county|taxpayers)",
                  r"works? (?:with|for) (?:the )?(?:cops|feds|task force|narcotics) (?:as|on the "
                  r"side)"),
            r"(?-i:\bC\.?I\.?s?\b)",
        ),
    ),
    Rule(
        code="suspect_identity", severity="do_not_post", topic="suspects and arrestees",
        query="suspects arrestees names photos mugshots personal accounts",
        message="Names or shows a suspect or arrestee from a personal account.",
        fix="Remove the person's name and photo; arrests are announced only by the department "
            "through the PIO.",
        patterns=_SUSPECT_PATTERNS,
        accounts=PERSONAL_OR_UNKNOWN,
    ),
    Rule(
        code="official_suspect", severity="needs_review", topic="suspects and arrestees",
        query="suspects arrestees official accounts PIO approval release name photo",
        message="An official post that names or shows a suspect or arrestee needs PIO approval.",
        fix="Send it to the PIO; releases that name or show a person go out only once approved.",
        patterns=_SUSPECT_PATTERNS,
        accounts=("official",),
    ),
    Rule(
        code="guilt_statement", severity="do_not_post",
        topic="pending cases and statements about guilt",
        query="statements about guilt pending cases opinion prosecution trial",
        message="States or implies guilt, or gives an opinion on a pending case.",
        fix="Do not comment on guilt or on pending cases; that can damage the prosecution.",
        patterns=(
            r"\b(?:he|she|they|guy|man|woman|suspect|defendant|driver|accused|kid|dude|lady)\b"
            r"(?:'s|'re)?[^.!?]{0,80}?\b(?:is|was|are|'s)\s+(?:\w+\s+){0,2}?(?:100%\s*)?guilty\b",
            words(r"guilty as sin", r"we got (?:our|the) (?:guy|man|woman|killer|shooter|perp)",
                  r"got (?:our|the) (?:guy|man)", r"open[- ]and[- ]shut", r"slam dunk case",
                  r"going away for (?:a long time|life|good|years)",
                  r"lock (?:him|her|them) up", r"throws? the book at",
                  r"knows? exactly what (?:he|she|they) did", r"rot in (?:jail|prison|hell|a cell)",
                  r"(?:he|she|they) (?:totally |definitely |obviously )?did it",
                  r"no doubt (?:he|she|they) did", r"deserves? (?:the death penalty|to fry|life)",
                  r"knows? (?:he|she|they) did it",
                  r"enjoy (?:county|prison|jail|the next \d+ ?(?:yrs|years))",
                  r"glad (?:he|she|they)(?:'s|'re| is| are) finally (?:done|caught|locked up)",
                  r"(?:the )?jury (?:should|better|needs to|will|sees)",
                  r"(?:is|was|'s) (?:\d+% |definitely |totally |obviously )?the one who did it",
                  r"lying (?:thru|through) (?:his|her|their) teeth",
                  r"hope (?:the )?jury"),
            near(words(r"trial", r"pending (?:case|charges|prosecution)", r"the case against",
                       r"defendants?", r"charges against", r"(?:upcoming|ongoing) case"),
                 words(r"guilty", r"innocent", r"should", r"deserves?", r"obviously", r"clearly",
                       r"no way", r"joke", r"disgrace", r"hope", r"walk(?:s|ing)? free",
                       r"get(?:s|ting)? off", r"convict\w*", r"my (?:opinion|take|two cents)",
                       r"i think", r"i believe"), 80),
        ),
    ),
    Rule(
        code="evidence_media", severity="do_not_post", topic="evidence and camera recordings",
        query="body-worn dash camera recordings evidence crime scene photos footage",
        message="Shares or describes evidence, camera footage or crime-scene media.",
        fix="Do not post evidence, body-worn or dash camera recordings, or crime-scene images; "
            "release of recordings goes through the department's records process.",
        patterns=(
            near(words(r"body ?cams?", r"body[- ]worn", r"bwc", r"dash ?cams?", r"in-car video"),
                 MEDIA, 100),
            words(r"(?:body ?cam|body[- ]worn camera|bwc|dash ?cam|in-car video)s?(?: footage| "
                  r"video| clip)? (?:from|of) (?:the|my|our|last|this|a|that)"),
            near(words(r"crime[- ]scenes?", r"the scene", r"evidence", r"autopsy", r"the body",
                       r"deceased", r"fatal(?:ity)?", r"the wreck", r"homicide"),
                 words(r"photos?", r"pics?", r"pictures?", r"videos?", r"footage", r"clips?",
                       r"images?", r"screenshots?", r"stills"), 25),
            PHOTO_NOTE + r"\b(?:drugs?|cocaine|meth|heroin|"
            r"fentanyl|powder|pills|rifles?|guns?|firearms?|weapons?|cash|money|evidence|seized|"
            r"seizure|bricks?|baggies|body|blood|scene|handcuff\w*|suspect)\b",
            words(r"(?:photo|pic|picture)s? of (?:the |our |my )?(?:seized|seizure|drugs|guns|"
                  r"evidence|haul|bust)"),
            near(PHOTO_NOTE + r"\]",
                 words(r"kilos?", r"keys", r"bricks?", r"\d+ (?:ARs|rifles|guns|pistols|"
                       r"firearms)", r"off the street", r"seized", r"seizure", r"haul", r"bust"),
                 120),
            words(r"dope on the table", r"#dopeonthetable", r"guns on the table",
                  r"evidence (?:room|locker|bag|table|photos?)",
                  r"crime[- ]scene (?:photos?|pics?|video|images?)"),
        ),
        unless=(words(r"no (?:photos?|pictures?|video)", r"without (?:photos?|pictures?)"),),
    ),
    Rule(
        code="tactical_info", severity="do_not_post",
        topic="operational and tactical information",
        query="operational tactical planned raids warrant service staging staffing shift "
              "schedules patrol patterns officer locations",
        message="Reveals tactical or operational details (operations, staging, staffing, "
                "schedules or locations).",
        fix="Remove the operation, timing, staging, staffing or location details; they put "
            "officers and operations at risk.",
        patterns=(
            near(words(r"raids?", r"search warrants?", r"#?warrant ?service",
                       r"serv(?:e|ing) (?:a|the|an?) \w* ?warrant", r"no[- ]knock", r"sting",
                       r"buy[- ]bust", r"takedown", r"operation \w+", r"swat", r"entry team",
                       r"roundup", r"warrant (?:sweep|service|roundup)", r"sweep",
                       r"(?:serv|execut)\w* (?:a|the|an?|\w+) ?warrants?",
                       r"saturation (?:detail|patrol)",
                       r"hit(?:ting)? (?:the|that) (?:house|place|spot|apartment)",
                       r"(?:team|squad|unit|crew|we)(?:'s|'re| is| are| will be)? "
                       r"(?:paying|pay|going to pay) (?:a |an early |a little )?visit to"),
                 words(r"tomorrow", r"tmrw?", r"2morrow", r"tonight", r"tonite", r"first light",
                       r"(?:at|@) ?\d{1,2}(?::\d\d)?", r"\d{3,4} ?(?:hours|hrs)",
                       r"\d{1,2}(?::\d\d)? ?(?:am|pm|a\.m\.|p\.m\.)", r"o'?clock",
                       r"this (?:week|morning|afternoon|evening|weekend)", r"in the morning",
                       r"monday", r"tuesday", r"wednesday", r"thursday", r"friday", r"saturday",
                       r"sunday", r"staging", r"going in",
                       r"hit(?:ting)? (?:the|that) (?:house|place|spot)",
                       r"on \w+ (?:st|street|ave|avenue|rd|road)", r"at dawn", r"sunrise",
                       r"next week", r"soon"), 80),
            words(r"stag(?:e|ed|ing) (?:at|area|in|behind|near|location|by|on)",
                  r"we(?:'re| are| will be)? staging", r"rally point", r"command post (?:is|at)",
                  r"perimeter (?:at|on|is set)"),
            r"\b(?:only|just|down to)\s+(?:\w+\s+)?(?:\d+|one|two|three|four|five|six)\s+(?:"
            r"officers?|deputies|units|cars|guys|cops|of us)\b.{0,40}?\b(?:on|working|covering|"
            r"on duty|"
            r"on patrol|tonight|today|for the)\b",
            r"\b(?:it'?s|just) me and (?:\w+ )?(?:\d+|one|two|three|four|five) (?:others?|guys|"
            r"deputies|officers|units|cars)\b.{0,30}?\b(?:covering|on|working|patrolling)\b",
            words(r"short[- ]?staffed", r"skeleton crew", r"minimum staffing",
                  r"no (?:one|units|officers|cars|deputies) (?:covering|on patrol|patrolling)",
                  r"(?:shift|patrol) (?:schedule|rotation|pattern|routes?)",
                  r"shift change (?:is )?at", r"(?:our|my) patrol route",
                  r"(?:unpatrolled|uncovered) (?:tonight|until)",
                  r"(?:i'?m|we'?re) (?:posted|parked|sitting|set up) (?:at|on|behind|by)",
                  r"speed trap (?:at|on)", r"(?:checkpoint|surveillance) (?:at|on|location)"),
            # An area left uncovered: "there will be no transit officers at ...", "no habrá
            # patrullaje en el sector", "solo somos tres en el turno", "casi nunca pasamos por
            # el río después de las 2" (1058.14(c), (d)).
            r"\b(?:there(?:'ll| will) be|there(?:'s| is| are)|we(?:'ll| will)? have|we'?ve got|"
            r"we got)\s+(?:absolutely\s+)?(?:no|zero)\s+(?:\w+\s+)?(?:officers?|deputies|troopers|"
            r"units|patrols?|patrol cars|coverage|cops|cars)\b",
            r"\b(?:no (?:habra|hay|va a haber|vamos a tener|tendremos|tenemos)|sin)\s+(?:\w+\s+)?"
            r"(?:patrullaje|patrullas|agentes|policias|oficiales|unidades|vigilancia|cobertura)\b",
            r"\bsolo (?:somos|hay|quedamos|estamos|tenemos) (?:dos|tres|cuatro|cinco|\d+)\b.{0,50}?"
            r"\b(?:turno|patrulla|noche|guardia|sector|agentes|unidades|oficiales)\b",
            r"\b(?:casi nunca|nunca|no) (?:pasamos|patrullamos|vamos|rondamos) (?:por|a)\b.{0,60}?"
            r"\b(?:despues|antes|entre|de noche|los (?:sabados|domingos|lunes|viernes|fines))"
            r"|\bwe (?:almost |basically |hardly |rarely )?(?:never|don'?t) (?:patrol|drive by|"
            r"come by|swing by|cover)\b.{0,60}?\b(?:after|before|between|at night|on "
            r"(?:weekends|saturdays|sundays))",
            # A shift's start time or a head count ("mi turno empieza a las 6", "nights run
            # with 4 deputies for the whole jail") (1058.14(c)).
            r"\b(?:my|our|the|his|her) (?:\w+ )?shift (?:starts|begins|ends|is over|changes?|"
            r"flips) at \d|\b(?:mi|nuestro|el|su) turno (?:empieza|comienza|inicia|termina|acaba|"
            r"entra|sale|cambia) a las \d",
            r"\b(?:nights?|days?|weekends?|the jail|the night shift|the day shift|shifts?|we)"
            r"(?: are| is)? (?:run|runs|running|ran|working|work) (?:with|on) (?:only |just )?"
            r"(?:\d+|one|two|three|four|five|six|seven|eight) (?:deputies|officers|cops|units|"
            r"cars|people|guys|of us|staff)\b|\b(?:\d+|two|three|four|five|six|seven|eight) "
            r"(?:deputies|officers|cops|guards|staff) for (?:the whole|the entire|all of|all|\d+) "
            r"(?:jail|city|county|town|inmates|prisoners|beats?|sectors?)",
        ),
        unless=(words(r"retired", r"years ago", r"back in (?:the day|\d{4})"),),
    ),
    Rule(
        code="building_security", severity="do_not_post",
        topic="operational and tactical information",
        query="security setup alarm codes camera locations floor plans department buildings "
              "equipment weak points",
        message="Reveals a weak point in a department building's security.",
        fix="Do not post it; report the broken door, lock or camera to facilities or a "
            "supervisor instead.",
        patterns=(
            r"\b(?:back|side|rear|front|sally ?port|jail|station|garage|evidence(?: room)?|"
            r"loading|employee|lobby|cell|gate)\s+(?:doors?|gates?|locks?|cameras?)\b.{0,40}?"
            r"\b(?:doesn'?t|does not|don'?t|won'?t|isn'?t|aren'?t|still (?:doesn'?t|won'?t|isn'?t)|"
            r"never|no longer)\s+(?:latch|lock|close|work|record|shut)\w*",
            r"\b(?:cameras?|locks?|alarms?|card readers?|fence|gate)\s+(?:at|in|on|around) "
            r"(?:the |our )?(?:station|jail|precinct|substation|sally ?port|evidence room|"
            r"impound|armory)\b.{0,20}?\b(?:is|are|has been|have been|still|been)\s+"
            r"(?:\w+\s+)?(?:down|broken|out|busted|dead|off)\b",
        ),
        # a door at home or a gym's broken locker is not a department building
        requires=(words(r"station", r"jail", r"precinct", r"substation", r"sally ?port",
                        r"evidence room", r"armory", r"lockup", r"detention", r"headquarters",
                        r"hq", r"pd", r"sheriff'?s office", r"department", r"dept",
                        r"courthouse", r"booking"),),
        unless=(words(r"retired", r"years ago", r"back in (?:the day|\d{4})", r"fixed"),),
    ),
    Rule(
        code="on_duty_live", severity="needs_review",
        topic="operational and tactical information",
        query="patrol patterns officer locations real time",
        message="Posting live or in real time while on duty shows where you are and what you "
                "are doing.",
        fix="Post afterwards, without your live location, or ask the PIO first.",
        patterns=(
            r"\b(?:go(?:ing)? live|livestream\w*|live[- ]stream\w*|stream(?:ing)? live)\b.{0,80}?"
            r"\b(?:while|when|during)\b (?:i'?m |we'?re )?(?:working|on duty|on shift|on patrol|"
            r"on (?:a|the) call)",
            r"\b(?:on duty|on shift|on patrol)\b.{0,40}?\b(?:go(?:ing)? live|livestream\w*)\b",
            r"\b(?:go(?:ing)? live|live[- ]?stream\w*)\b (?:from|at|in) (?:the |our |my )?(?:SO|PD|"
            r"department|sheriff'?s?|station|precinct|substation|booth|cruiser|patrol car|"
            r"squad car|scene)\b",
        ),
    ),
    Rule(
        code="cjis_data", severity="do_not_post", topic="criminal justice information",
        query="criminal justice information NCIC CJIS database records checks disclose",
        message="Discloses information from criminal-justice databases or records checks.",
        fix="Remove it; database results are for official use only and may never be posted.",
        patterns=(
            words(r"NCIC", r"CJIS", r"NLETS", r"LEADS", r"TLETS", r"CLETS", r"LEIN", r"rap sheets?",
                  r"criminal histor(?:y|ies)", r"records? checks?",
                  r"ran (?:his|her|their|the|a|this guy'?s|the guy'?s) (?:plates?|names?|tags?|"
                  r"license|record|history|info|priors)", r"ran (?:him|her|them)",
                  r"dmv (?:records?|photo|info|lookup)", r"warrants? check",
                  r"(?:his|her|their) (?:record|history) (?:shows|showed|came back)",
                  r"\d+ priors", r"prior (?:arrests|convictions)",
                  r"came back (?:with|hot|dirty) ", r"hit (?:in|on) (?:ncic|the system)",
                  r"(?:pulled|looked) up (?:his|her|their) (?:record|history|file|info)",
                  r"ran (?:the|that|this) (?:guy|dude|lady|woman|man|kid|driver|troll|clown)",
                  r"(?:\d+|one|two|three|four|five|several|multiple) FTAs?",
                  r"(?:CAD|MDT|MDC|RMS) (?:notes?|logs?|entr(?:y|ies)|screens?|printouts?|"
                  r"screenshots?|comments|narratives?|messages?)",
                  r"(?:screenshot|photo|pic|picture|snap)s? of (?:the |my |our )?(?:CAD|MDT|MDC|"
                  r"RMS|dispatch (?:notes|screen|log))"),
        ),
    ),
    Rule(
        code="threat", severity="do_not_post", topic="threats and harassment",
        query="threats violence harassment intimidation",
        message="Contains a threat of violence or intimidation.",
        fix="Do not post it. Threats are misconduct whatever the account.",
        patterns=(
            r"\b(?:i(?:'ll| will| am going to|'m going to|'m gonna| gonna| wanna)|we(?:'ll| will| "
            r"are going to|'re gonna)|someone (?:should|needs to)|somebody (?:should|needs to))"
            r"\s+(?:\w+\s+){0,2}?(?:kill|shoot|beat|hurt|smash|bury|destroy|choke|stomp|find|"
            r"end|cap|shank|run over|taze|tase)\s+(?:you|him|her|them|that guy|these|those|the "
            r"next|every|some|anyone|whoever|this (?:guy|dude|punk|kid)|protesters?|people)\b",
            words(r"deserves? (?:a bullet|to (?:die|be shot|be beaten|get shot|hang))",
                  r"watch your back", r"i know where (?:you|he|she|they) lives?",
                  r"you(?:'ll| will) (?:regret|pay for)",
                  r"(?:should|ought to) be (?:shot|hanged|hung|beaten|killed|put down|lined up)",
                  r"crack (?:some )?skulls", r"wouldn'?t mind (?:shooting|beating|hurting)",
                  r"(?:hope|wish) (?:they|he|she|you) (?:die|dies|gets? shot)",
                  r"(?:i|we)(?:'d| would) (?:love|like) to (?:shoot|beat|kill|hurt)",
                  r"run (?:them|those protesters|'em) over", r"snitches get stitches",
                  r"leav(?:e|ing) in (?:an )?ambulances?",
                  r"leav(?:e|ing) in (?:a )?body ?bags?",
                  r"(?:i'?m|im|i'?ll|i will|i'?d|we'?ll|gonna|going to) (?:\w+ )?(?:put|"
                  r"putting|send|sending) (?:him|her|them|you|'?em) (?:in|into|to) (?:the|a) "
                  r"(?:hospital|morgue|grave|body bag|icu)",
                  r"try me", r"(?:see|find out) what happens when", r"you'?ve been warned",
                  r"i know (?:what|where) (?:you|he|she|they) (?:drive|drives|park|parks|work|"
                  r"works)", r"i know what car (?:you|he|she|they) drives?",
                  r"find out where (?:you|he|she|they) lives?",
                  r"(?:bump|ram|run over|mow down|tap|hit)\w* (?:the next|any|a|those|these|some)"
                  r" (?:protesters?|people|cyclists?|idiots?|guy)",
                  r"(?:next|one more) time .{0,30} (?:you|he|she)(?:'ll| will) (?:get|be) hurt"),
        ),
    ),
    Rule(
        code="slur", severity="do_not_post", topic="discrimination and slurs",
        query="slurs discrimination race religion gender sexual orientation disability",
        message="Contains a slur or derogatory term for a protected group.",
        fix="Do not post it. Slurs violate the discrimination policy on any account.",
        patterns=(
            words(rf"n{_V}gg(?:er|a|ah|az|ers)", rf"sp{_V}cs?", rf"wetb{_V}cks?", rf"ch{_V}nks?",
                  rf"g{_V}{_V}ks?", rf"k{_V}kes?", rf"f{_V}gg?(?:{_V}t)?s?", r"dykes?",
                  rf"tr{_V}nn(?:y|ies)", rf"r{_V}t{_V}rds?", rf"r{_V}t{_V}rded", r"towelheads?",
                  r"raghead\w*", r"sand ?n[i1]gg\w*", r"beaners?", r"jungle bunn(?:y|ies)",
                  r"porch monkeys?", r"camel jockeys?", r"mongoloids?", r"sodomites?",
                  r"savages", r"venec[oa]s", r"pinche venec[oa]", r"sudacas?",
                  r"espaldas mojadas"),
        ),
    ),
    Rule(
        code="group_disparagement", severity="do_not_post",
        topic="discrimination and disparagement",
        query="disparaging groups discrimination protected classes demeaning community members",
        message="Demeans a group of people.",
        fix="Do not post it; disparaging a group undermines public trust and breaks policy.",
        patterns=(
            r"\b(?:immigrants|illegals|muslims|jews|christians|blacks|whites|mexicans|hispanics|"
            r"latinos|asians|arabs|gays|lesbians|trans (?:people|folks)|transgenders|women|females|"
            r"liberals|conservatives|democrats|republicans|homeless(?: people)?|bums|addicts|"
            r"junkies|protesters|foreigners|refugees|\w+ people)\b.{0,60}?\b(?:are|belong|should|"
            r"deserve|need to|is|all)\b.{0,40}?\b(?:animals|savages|criminals|trash|garbage|scum|"
            r"lazy|stupid|dumb|dangerous|thugs|vermin|parasites|go back|deported|locked up|shot|"
            r"worthless|disgusting|subhuman|filth|cockroaches|roaches|a plague|a disease|inferior|"
            r"the problem|nothing but|thie(?:f|ves))\b",
            r"\b(?:always|it'?s always|every time it'?s) (?:the )?(?:immigrants|illegals|muslims|"
            r"blacks|mexicans|hispanics|homeless|junkies|addicts|protesters|foreigners|refugees)"
            r"\b.{0,80}?\b(?:causing|making|starting|don'?t belong|doesn'?t belong)\b",
            words(r"ghetto trash", r"trailer trash", r"welfare queens?",
                  r"illegal aliens? (?:are|should)",
                  r"(?:those|these) (?:animals|savages|thugs|vermin|cockroaches|parasites)",
                  r"(?:those|these|you) people (?:breed|are (?:all )?(?:the )?(?:problem|trash|"
                  r"animals))", r"breed (?:problems|crime|criminals|trouble)",
                  r"this neighborhood is (?:a )?(?:zoo|jungle)",
                  r"(?:they|them) don'?t belong here"),
            # Dehumanising a group without naming it ("ppl like that are basically rats",
            # "the animals on the east side", "ship 'em all back", "spray em out").
            r"\b(?:people|ppl|folks|those|they|them|these|all of them|y'?all)\s+(?:like "
            r"(?:that|them|this)\s+)?(?:are|r|is)\s+(?:basically |just |literally |all |nothing "
            r"but )?(?:animals|rats|vermin|roaches|cockroaches|parasites|savages|subhuman|scum|"
            r"gremlins)\b",
            r"\bthe (?:animals|savages|vermin|rats|roaches|cockroaches)\s+(?:on|in|from|over in|"
            r"down in|out in|over on|down by)\s+(?:the\s+)?\w+",
            r"\bship (?:'?em|them) (?:all )?back\b|\bhere illegally\b|\bspray (?:'?em|them) "
            r"(?:out|down|off)\b",
            r"\b(?:international students|foreign(?:ers| students)|immigrants|women|females|asians|"
            r"mexicans|latinos|hispanics|old people|tourists|out[- ]of[- ]staters|\w+ (?:people|"
            r"ladies))\s+(?:can'?t|cannot|don'?t know how to|never learned to)\s+drive\b",
            r"\b(?:everybody|everyone|all the people|people|all of them) (?:on|in|from) "
            r"(?:that|the other|this|the wrong|the|those)(?: [\w-]+){0,2} (?:side of "
            r"(?:the )?tracks|neighborhood|part of town|area|complex|projects|apartments|"
            r"trailer park|housing)\b.{0,40}?\b(?:is|are)\s+(?:(?:all|just|a|an|basically|"
            r"literally|nothing but|a bunch of|on|either|total|straight|damn|known)\s+){0,3}"
            r"(?:parole|criminals?|trash|thugs|animals|junkies|gang\w*|crooks|felons)\b",
        ),
    ),
    Rule(
        code="colleague_disparagement", severity="revise", topic="disparagement of colleagues",
        query="remarks about colleagues coworkers supervisors mocking insults",
        message="Disparages or mocks a colleague, supervisor or the department.",
        fix="Remove the remark; raise workplace problems through your chain of command instead.",
        patterns=(
            r"\b(?:my|our|the)\s+(?:new\s+)?(?:sergeant|sarge|sgt|lieutenant|lt|captain|partner|"
            r"coworkers?|co-workers?|chief|supervisor|boss|rookies?|fto|dispatchers?|dispatch|"
            r"squad|shift|command staff|admin|brass|day shift|night shift|detectives?)\b.{0,40}?"
            r"\b(?:is|are|was|were)\s+(?:(?:such|so|a|an|total|complete|absolute|the|totally|"
            r"completely|utterly)\s+){0,3}(?:idiots?|morons?|clowns?|jokes?|useless|lazy|"
            r"incompetent|worthless|dumb|stupid|clueless|cowards?|a waste|disgraces?|pathetic|"
            r"dumbest|laziest|worst|brain ?dead|trash|garbage)\b",
            words(r"(?:useless|lazy|incompetent|clueless|idiot|moron|dumbass|worthless) "
                  r"(?:sergeants?|sarge|lieutenants?|partners?|coworkers?|captains?|chief|"
                  r"rookies?|dispatchers?|brass|admin|supervisors?|detectives?)",
                  r"a certain (?:lieutenant|sergeant|sarge|captain|officer|deputy|corporal|"
                  r"detective|dispatcher|supervisor|someone on \w+ shift)",
                  r"looking at you,? " + RANK),
            rf"{RANK_AND_NAME}.{{0,60}}?\b(?:like (?:he|she|they)(?:'s| has| have| had)? never|"
            r"couldn'?t find|can'?t (?:even )?(?:find|drive|park|shoot|write|spell)|"
            r"never (?:restocks?|does|cleans?|shows? up|helps?|answers?))",
            r"\b(?:[a-d]|day|night|swing|mid)[- ]shift (?:never|always|can'?t|could learn|"
            r"needs? to learn)\b",
            near(COLLEAGUE, r"🙄|🤦|\bsmh\b|\beye ?roll\b|\bguess (?:he|she|they) finally\b|"
                 r"\bwithout (?:his|her|their) gps\b", 80),
            r"\b(?:parks?|drives?|shoots?|writes?|types?|talks?)\b.{0,20}?\blike (?:he|she)"
            r"(?:'s| is) (?:docking|never|blind|drunk|a toddler|my grandma)",
            r"\b(?:even|finally) (?-i:[A-Z][a-z]+) (?:showed up|was|got here) on time\b",
            rf"{RANK_AND_NAME}.{{0,60}}?\bwithout (?:taking out|hitting|crashing into|backing "
            r"into|running over|wrecking) (?:a|the|any|another|single)\b",
            # A sarcastic shout-out to another shift or unit ("shoutout to day shift for
            # leaving the car on E AGAIN 🙃", "unlike night shift, they answer their email",
            # "the 'geniuses' in IT", "los del otro turno que ni café dejan").
            r"\b(?:shout ?out|thanks|thank you|kudos|props)\s+(?:to\s+)?(?:the\s+|whoever\s+"
            r"(?:on|in)\s+)?(?:[a-d]|day|night|swing|mid|the other|other)[- ]shift\b.{0,80}?"
            r"(?:🙄|😒|🙃|😤|\bagain\b|\bnever\b|\bzero\b|\bapparently\b|\boptional\b|"
            r"\btrue heroes\b|\bgenius|\bthanks for nothing\b)",
            r"\bunlike (?:the )?(?:[a-d]|day|night|swing|mid|other)[- ]shift\b|\b(?:[a-d]|day|"
            r"night|swing|mid)[- ]shift,? (?:who|which) (?:apparently|still|never|can'?t|"
            r"couldn'?t)\b|\bwhoever (?:on|in) (?:[a-d]|day|night|swing|mid)[- ]shift\b",
            r"\b(?:the )?[\"']?(?:geniuses|rocket scientists|brain trust|masterminds)[\"']? (?:in|"
            r"at|on|over in|from) (?:it|records|dispatch|admin|hr|the front office|day shift|"
            r"night shift|command|fleet)\b",
            r"\b(?:los|las) del otro turno\b.{0,60}?\b(?:ni|nunca|flojo\w*|inutiles|no sirven|"
            r"no hacen)\b",
        ),
    ),
    Rule(
        code="political_on_duty", severity="do_not_post", topic="political activity",
        query="political activity uniform on-duty official account limits campaign endorse",
        message="Political campaigning in uniform, on duty, or for the department.",
        fix="Political opinions are yours to share as a private citizen: post without uniform, "
            "badge or department name, and never on duty or from an official account.",
        patterns=(near(POLITICAL, ON_DUTY, 120),),
    ),
    Rule(
        code="political_on_duty", severity="do_not_post", topic="political activity",
        query="political activity uniform on-duty official account limits campaign endorse",
        message="An official department account may not take political sides.",
        fix="Remove the endorsement; official accounts stay neutral in elections and ballot "
            "measures.",
        patterns=(POLITICAL,),
        accounts=("official",),
        unless=(words(r"voter registration", r"polling (?:place|location)s?",
                      r"register to vote", r"election day traffic",
                      r"early voting (?:hours|sites?)"),),
    ),
    Rule(
        code="political_on_duty", severity="revise", topic="political activity",
        query="using your title to endorse political candidates remove title",
        message="Uses your rank, title or the department's name in a political message.",
        fix="Keep the opinion, drop the title: post it as a private citizen without your rank, "
            "title or department name.",
        patterns=(near(POLITICAL, TITLE_USE, 120),),
    ),
    Rule(
        code="uniform_personal", severity="revise",
        topic="uniform, badge and insignia on personal accounts",
        query="personal accounts uniform badge insignia patch photos identifying employee",
        message="Shows the uniform, badge, marked car or department insignia on a personal "
                "account.",
        fix="Use a photo without the uniform, badge, patch or marked car, or ask the PIO to "
            "approve it.",
        patterns=(
            words(r"(?<!not )(?<!n't )(?<!never )(?<!out of )in (?:(?:my|our|full|dress|the|"
                  r"class[- ][ab]) ){0,3}uniforms?",
                  r"uniform (?:pics?|photos?|selfies?)",
                  r"(?:my|the|our) badge", r"badge (?:pics?|photos?|selfies?)",
                  r"(?:department|agency|police|sheriff'?s?|pd) (?:patch|insignia|logo|seal)",
                  r"shoulder patch", r"(?:pics?|photos?|selfies?) (?:of|in|with) (?:my )?duty "
                  r"(?:belt|gear)",
                  r"wearing (?:my|the|our) (?:uniforms?|badges?|vests?)",
                  r"(?:patrol|squad|police) car (?:selfies?|pics?|photos?)",
                  r"(?:photo|pic|picture|selfie|video)s? (?:of|with|in|next to) "
                  r"(?:me (?:in|with) )?"
                  r"(?:my|the|our) (?:patrol car|squad car|cruiser|marked (?:car|unit)|police "
                  r"car|unit)", r"photos? of (?:me|myself) in (?:my )?uniform"),
            PHOTO_NOTE + r"\b(?:uniforms?|"
            r"badges?|patrol car|squad car|cruiser)\b",
        ),
        accounts=PERSONAL_OR_UNKNOWN,
        unless=(r"\bbadge\s*(?:no\.?|number|num|#)",),
    ),
    Rule(
        code="business_endorsement", severity="revise",
        topic="endorsements and outside business",
        query="endorsements outside business rank title uniform promote commercial",
        message="Uses your rank, title or uniform to promote a business.",
        fix="Remove the rank, title and uniform, or drop the promotion; the department does "
            "not endorse businesses.",
        patterns=(
            near(TITLE_USE + "|" + words(r"in (?:my |full )?uniform", r"on duty", r"badge"),
                 words(r"recommend\w*", r"best (?:\w+ )?(?:in town|pizza|coffee|burgers?|gym|"
                       r"shop|deals?|prices?)", r"promo code", r"discount code", r"\d+% off",
                       r"sponsor\w*", r"my (?:side )?(?:business|shop|company|hustle)",
                       r"(?:his|her|their|my (?:buddy|friend|brother|wife|husband)'?s?) "
                       r"(?:business|shop|store|restaurant|gym|dealership|company)",
                       r"tell (?:them|'?em|him|her) .{0,20} sent (?:you|ya)", r"go (?:see|visit)",
                       r"did (?:mine|my \w+)", r"if you need an? ",
                       r"(?:buy|order|shop) (?:from|at)", r"discount", r"owns? an?",
                       r"(?:post|write|leave) a review", r"(?:i )?trust \w+"), 100),
        ),
    ),
    Rule(
        code="undercover_identity", severity="do_not_post",
        topic="undercover and plain-clothes assignments",
        query="undercover plain clothes assignments identity photos officers",
        message="Could expose an undercover or plain-clothes officer or assignment.",
        fix="Remove it; never identify undercover officers or their assignments.",
        patterns=(
            near(words(r"undercover", r"under cover", r"plain[- ]?clothes",
                       r"UC (?:officer|detective|guy|work)", r"narcs?", r"deep cover",
                       r"vice (?:unit|squad)"),
                 rf"{NAME}|{FIRST_NAME}|" + words(r"photos?", r"pics?", r"pictures?", r"selfie",
                 r"working", r"meet", r"shout ?out", r"tag(?:ged)?", r"this is", r"that'?s",
                 r"assignment", r"operation", r"tonight", r"now", r"name") + r"|@\w+", 60),
            words(r"(?:narcotics|drug|vice) buy work", r"went (?:over )?to (?:narcotics|vice) "
                  r"buy", r"can'?t show (?:your|his|her|their) faces?"),
            words(r"welcome to (?:narcotics|vice|the dark side)", r"narcotics is lucky",
                  r"(?:growing out|grew out|growing) (?:a|his|her|the|my) beard\b.{0,60}?\b"
                  r"(?:narcotics|vice|uc|undercover)",
                  r"new (?:narcotics|vice|uc|undercover) (?:gig|assignment|job|detail|spot)"),
        ),
    ),
    Rule(
        code="colleague_privacy", severity="do_not_post",
        topic="officer safety and privacy of colleagues and families",
        query="privacy of colleagues home addresses children family members officer safety",
        message="Exposes a colleague's home, family or vehicle.",
        fix="Remove it; colleagues' homes, families, children and vehicles stay private for "
            "their safety.",
        patterns=(near(COLLEAGUE, PRIVATE_LIFE, 80),),
    ),
    Rule(
        code="confidential_info", severity="do_not_post",
        topic="confidential and investigative information",
        query="confidential information active investigations internal disclose",
        message="Discloses confidential or investigative information.",
        fix="Remove it; investigative and internal information is released only by the "
            "department.",
        patterns=(
            words(r"internal affairs", r"IA (?:investigation|case|complaint)",
                  r"internal investigations?", r"confidential", r"don'?t tell anyone",
                  r"between (?:us|you and me)", r"internal memo",
                  r"leaked", r"sealed (?:records?|warrants?|indictments?|affidavits?)",
                  r"grand jury", r"(?:search|arrest) warrant affidavit",
                  r"(?:we|i) (?:got|received) a tip",
                  r"the investigation (?:shows|revealed|found|is focusing|is looking)",
                  r"(?:lab|tox|toxicology|dna|ballistics) results?", r"autopsy results?",
                  r"cause of death", r"person of interest", r"leads? (?:on|in) the case",
                  r"detectives? (?:think|believe|suspect|are looking at)",
                  r"(?:personnel|disciplinary) (?:files?|records?|action)",
                  r"(?:was|got|been) (?:suspended|fired|terminated|written up)",
                  r"not (?:been )?released (?:yet|to the public)",
                  r"(?:we|they) (?:haven'?t|have not) released", r"not public yet",
                  r"word from (?:the )?briefing", r"(?:at|in|from) (?:roll ?call|briefing) "
                  r"(?:today|they said|we heard|tonight)", r"you didn'?t hear (?:it|this) from me",
                  r"don'?t quote me", r"keep (?:this|it) (?:quiet|between us)",
                  r"(?:dropping|drop) the charges"),
        ),
        unless=(words(r"confidential (?:tip line|hotline)", r"remain confidential",
                      r"tips? (?:can|may) (?:be|remain) (?:anonymous|confidential)",
                      r"kept confidential",
                      # a help line's promise: "the hotline is free, confidential and ..."
                      r"(?:free|anonymous|gratis|gratuit[oa]s?|anonim[oa]s?),? (?:and |y )?"
                      r"confidential(?:es)?",
                      r"confidential(?:es)?,? (?:and |y )(?:free|anonymous|gratis|gratuit)"),),
    ),
    Rule(
        code="media_inquiry", severity="needs_review", topic="media inquiries and the PIO",
        query="media inquiries reporters news PIO refer statements",
        message="A media inquiry: statements to the press go through the PIO.",
        fix="Do not answer the reporter yourself; refer them to the PIO, who will respond.",
        patterns=(
            near(words(r"reporters?", r"journalists?", r"news (?:station|crew|outlet|desk|van)",
                       r"the press", r"press", r"the media", r"newspaper", r"channel \d+",
                       r"(?:abc|nbc|cbs|fox|cnn|msnbc)", r"podcast(?:er)?", r"editor",
                       r"the (?:times|gazette|herald|tribune|post|chronicle|journal|news)",
                       # bounded: unbounded, a long hyphenated run is rescanned
                       # from every start (quadratic time)
                       r"[\w-]{0,40}(?:courier|ledger|gazette|herald|tribune|chronicle|dispatch)"),
                 words(r"asked", r"asking", r"called", r"emailed", r"messaged", r"dm'?d",
                       r"reached out", r"contacted", r"wants", r"request(?:ed|s)?", r"interview",
                       r"comments?", r"statements?", r"quotes?", r"on the record",
                       r"working on a (?:story|piece|article|segment)"), 80),
            r"@\w*(?:news|ledger|times|gazette|tv|radio|herald|tribune|post|courier|channel\d*|"
            r"reporter|press)\w*",
            words(r"media (?:inquiry|request|inquiries)", r"press (?:inquiry|request)",
                  r"for your (?:piece|story|article|segment|show|podcast)",
                  r"on or off the record", r"off the record",
                  r"working on a (?:story|piece|article|segment) (?:about|on)",
                  r"(?:like|want) (?:a|your) (?:comment|statement|quote)",
                  r"comment from (?:an|a|the|any) (?:officer|deputy|cop)"),
        ),
        # A short reply that only points the reporter to the PIO is `ok` (1058.17(b); the
        # settled questions in docs/labelling.md); anything said beside it keeps the rule.
        unless=(PIO_REFERRAL_ONLY,),
    ),
    Rule(
        code="unverified_claim", severity="needs_review",
        topic="unverified information and rumours",
        query="unverified information rumors unconfirmed reports",
        message="Passes on unverified information about an incident.",
        fix="Post only what is confirmed, and during an incident only through the PIO.",
        patterns=(
            words(r"heard", r"hearing", r"rumou?rs?", r"unconfirmed", r"not (?:yet )?confirmed",
                  r"reportedly", r"allegedly", r"sources? (?:say|said|tell|told)", r"word is",
                  r"apparently", r"supposedly", r"might (?:be|have)", r"may (?:have been|be)",
                  r"could be", r"possibly", r"i think", r"people are saying", r"going around",
                  r"scanner (?:says|traffic)", r"per the scanner", r"on the scanner",
                  r"according to (?:the )?scanner", r"(?:i|we) (?:was|were) told",
                  r"someone said", r"not sure (?:if|but)", r"is it true", r"just texted me",
                  r"receiving reports"),
        ),
        requires=(CRITICAL_INCIDENT + "|" + words(
            r"shooting", r"shooter", r"suspects?", r"gunman", r"victims?", r"hostages?", r"dead",
            r"killed", r"injured", r"hurt", r"casualt\w+", r"bomb", r"fire", r"crash", r"scene",
            r"incident", r"lockdown"),),
    ),
    Rule(
        code="incident_statement", severity="needs_review", topic="critical incidents",
        query="statements about an active incident critical incidents PIO",
        message="Posted during an active critical incident, so the PIO decides what goes out.",
        fix="Send it to the PIO; during an active incident all public statements, even "
            "personal ones, go through the PIO.",
        patterns=(INCIDENT_TOPIC,),
        incident=True,
    ),
    Rule(
        code="incident_statement", severity="needs_review", topic="critical incidents",
        query="statements about an active incident critical incidents PIO",
        message="Talks about what looks like an active critical incident: only the PIO "
                "releases information about it.",
        fix="Send it to the PIO; during an active incident all public statements come from "
            "the PIO.",
        patterns=(CRITICAL_INCIDENT,),
        unless=(DRILL, words(r"years ago", r"anniversary", r"remember(?:ing)?", r"in memory")),
        incident=False,
    ),
    Rule(
        code="street_address", severity="revise", topic="personal identifying information",
        query="street addresses phone numbers remove",
        message="Gives a street address.",
        fix="Remove the street address, or generalise it (\"the 400 block\", \"downtown\").",
        patterns=(STREET_ADDRESS,),
        unless=(words(r"police (?:department|headquarters|station)", r"city hall",
                      r"community center", r"public library", r"join us", r"see you there",
                      r"coffee with a cop", r"open house"),),
        view="light",
    ),
    Rule(
        code="phone_number", severity="revise", topic="personal identifying information",
        query="street addresses phone numbers remove",
        message="Includes a personal phone number.",
        fix="Remove the phone number; use the department's public non-emergency line if needed.",
        patterns=(PHONE, PHONE_AFTER_WORD),
        unless=(DEPARTMENT_LINE, PUBLIC_OFFICE_NUMBER),
        view="light",
    ),
    Rule(
        code="license_plate", severity="revise", topic="personal identifying information",
        query="license plates tags remove blur",
        message="Shows a licence plate.",
        fix="Remove or blur the licence plate.",
        patterns=(LICENSE_PLATE,),
        view="light",
    ),
    Rule(
        code="case_number", severity="revise", topic="personal identifying information",
        query="case numbers report numbers personal identifying information remove",
        message="Includes a case or report number.",
        fix="Remove the case or report number.",
        patterns=(CASE_NUMBER,),
        view="light",
    ),
    Rule(
        code="badge_number", severity="revise", topic="personal identifying information",
        query="badge numbers identifying information employees remove",
        message="Includes a badge number, employee number or radio call sign.",
        fix="Remove the badge number, employee number or call sign.",
        patterns=(
            BADGE_NUMBER,
            BADGE_AFTER_NAME,
            PLACA_NUMBER,
            EMPLOYEE_NUMBER,
            CALL_SIGN,
            PHONETIC_CALL_SIGN,
        ),
        view="light",
    ),
    Rule(
        code="date_of_birth", severity="revise", topic="personal identifying information",
        query="dates of birth personal identifying information remove",
        message="Includes a date of birth.",
        fix="Remove the date of birth.",
        patterns=(DATE_OF_BIRTH,),
        view="light",
    ),
    Rule(
        code="email_address", severity="revise", topic="personal identifying information",
        query="personal identifying information email addresses contact details remove",
        message="Includes a personal email address.",
        fix="Remove the email address, or use the department's public contact address.",
        patterns=(EMAIL,),
        unless=(r"\b(?:pio|info|records|recruiting|recruitment|tips|media|press|community)@",),
        view="light",
    ),
    Rule(
        code="mixed_personal_work", severity="needs_review",
        topic="questions the policy does not answer",
        query="questions the policy does not answer live streams posts mixing personal and "
              "work matters",
        message="Mixes a personal channel with department work (a live stream of a work event, "
                "or paid content tied to the job); the policy leaves this to the PIO.",
        fix="Ask the PIO before you start; describe the platform, who will see it and whether "
            "you are paid.",
        patterns=(
            near(words(r"live[- ]?stream\w*", r"twitch",
                       r"(?:i|we|i'?m|im|we'?re|i'?ll|we'?ll|can i|could i|should i) "
                       r"(?:\w+ )?go(?:ing)? live",
                       r"stream(?:ing)? (?:it|the|our)"),
                 words(r"dept", r"department'?s?", r"precinct", r"station", r"roll ?call",
                       r"our (?:squad|shift|unit|team)", r"ride-?alongs?", r"co-?workers",
                       r"(?:at|from) work"), 80),
            near(words(r"paid (?:newsletter|subscriptions?|content|podcast|channel|course|"
                       r"speaking)", r"substack", r"patreon", r"monetiz\w*",
                       r"onlyfans", r"brand deals?", r"ad revenue", r"paid subscribers"),
                 words(r"cops?", r"officers?", r"deputy", r"polic\w*", r"law enforcement",
                       r"department", r"badge", r"my job"), 120),
        ),
        accounts=PERSONAL_OR_UNKNOWN,
    ),
    Rule(
        code="public_name", severity="revise", topic="personal identifying information",
        query="names of members of the public dealt with at work remove the name general "
              "description",
        message="Names a member of the public you dealt with at work.",
        fix="Take the name out, or say \"a driver\" or \"a resident\" instead.",
        # "a driver named Kevin Mills", "una señora llamada Rosa"
        patterns=(
            r"\b(?:driver|motorist|passenger|guy|lady|woman|man|kid|teen|caller|subject|dude|"
            r"se[nñ]ora|se[nñ]or|muchach[oa]|chamac[oa]|conductora?) (?:named|llamad[oa]|de "
            r"nombre) (?-i:[A-Z][a-z]+)",
        ),
        view="light",
    ),
    Rule(
        code="rank_opinion", severity="revise", topic="uniform, badge and insignia on "
        "personal accounts",
        query="rank and title lend weight to a personal opinion official position remove",
        message="Uses your rank or title to lend weight to a personal opinion.",
        fix="Keep the opinion and drop the rank, title and department name, so it reads as a "
            "private citizen's.",
        patterns=(
            words(r"(?:speaking as|hablando como|as your|como su) (?:a |an |the |un |una |el |"
                  r"la )?(?:\d+[- ]year |[\w'-]+ ){0,4}?" + RANK_WORD
                  + r"(?!['’]s)"),  # "speaking as a cop's wife" is a spouse's voice
        ),
        accounts=PERSONAL_OR_UNKNOWN,
    ),
    Rule(
        code="unapproved_account", severity="needs_review", topic="official department business",
        query="open an account in the name of the Department unit program written approval "
              "chief PIO",
        message="An account in the name of the Department, a unit or a program may be opened "
                "only with written approval from the chief or the PIO.",
        fix="Ask the PIO for written approval first; the PIO keeps the list of official "
            "accounts, who may post on them and their logins.",
        # A verb of opening near a social-media account, and a police unit near the account:
        # "start an Instagram page for our K9 unit", "abrir una cuenta para la unidad".
        patterns=(
            near(words(r"mak(?:e|ing)(?! sure)|start|starting|create|creating|"
                       r"open(?:ing)?(?! (?:day|night|game|weekend|ceremony|act))|"
                       r"set(?:ting)? up|launch(?:ing)?|spin up|crear|abrir|hacer|armar|"
                       r"empezar"),
                 ACCOUNT_PAGE, 80),
        ),
        requires=(
            near(words(r"(?:our|the|my|a|this) (?:\w+ )?(?:unit|squad|k-?9|canine|division|"
                       r"precinct|department|dept|troop|explorers?|academy|swat|sro|dispatch|"
                       r"sheriff'?s office)(?:'?s)?",
                       r"(?:la|nuestra|mi|una|el|nuestro) (?:\w+ )?(?:unidad|division|"
                       r"escuadra|patrulla|departamento|tropa|comisaria)"),
                 ACCOUNT_PAGE, 40),
        ),
        accounts=PERSONAL_OR_UNKNOWN,
    ),
    Rule(
        code="prompt_injection", severity="do_not_post", topic="review and escalation procedure",
        query="text inside a draft instructions trick CanIPost violation",
        message=(
            "The draft tells the checker how to answer; trying to talk CanIPost into clearing "
            "a post is itself a policy violation"
        ),
        fix=(
            "Take the instructions out. If the PIO or the chief really approved it, say so in "
            "a review request, where the PIO can confirm it."
        ),
        patterns=(
            words(r"ignore (?:all |any |the |your |previous |prior |above |earlier )*(?:"
                  r"instructions|rules|policy|policies|guidelines|prompts?)",
                  r"disregard (?:all |any |the |your |previous |prior )*(?:instructions|rules|"
                  r"policy|policies|guidelines)", r"system\s*:", r"you are now",
                  r"(?:answer|respond|reply|say|output|return|mark|classify)(?: verdict)? "
                  r"(?:with |as )?[\"']?(?:ok|approved|safe|fine)\b",
                  r"this (?:post |draft )?(?:is|has been|was) (?:already )?(?:pre-?)?"
                  r"(?:approved|reviewed|cleared)", r"as the pio,? i (?:authori[sz]e|approve)",
                  r"(?:override|bypass) (?:the )?(?:policy|rules|checks?)",
                  r"verdict\s*[:=]\s*[\"']?\w+", r"note to the (?:checker|bot|reviewer|ai)",
                  r"(?:dear|hey) (?:checker|bot|canipost|ai)", r"with no findings",
                  r"auto-?approved?", r"canipost\s*:",
                  r"(?:do not|don'?t|never) flag (?:this|it|the post|me)\b",
                  r"(?:do not|don'?t) flag\s*(?:[.\]]|$)",
                  # a claimed approval: "already" with any object, or without it only for
                  # the post itself ("my boss approved it!" is a vacation, not a claim)
                  r"(?:chief|sarge|sergeant|lieutenant|captain|pio|boss|supervisor|commander) "
                  r"(?:already |has already |already has )(?:approved|okayed|ok'?d|"
                  r"signed off on|cleared) (?:it|this)(?! year| week| month|'s)",
                  r"(?:chief|sarge|sergeant|lieutenant|captain|pio|boss|supervisor|commander) "
                  r"(?:approved|okayed|ok'?d|signed off on|cleared) (?:this post|the post|"
                  r"this draft|this(?=\s*(?:[^\w\s]|$)))",
                  # Spanish, accents folded: "el jefe ya lo aprobo", "esto ya esta autorizado"
                  r"(?:el|la|mi) (?:jefe|jefa|pio|sargento|sargenta|capitan|capitana|teniente|"
                  r"comandante|supervisora?) ya (?:lo |la |me lo |me la )?(?:aprobo|autorizo|"
                  r"reviso|dio el visto bueno)",
                  r"(?:este post|esta publicacion|este mensaje|esto) ya (?:esta|fue|ha sido) "
                  r"(?:pre-?)?(?:aprobad|autorizad|revisad)[oa]",
                  r"ignora (?:todas |las |tus |todas las )*(?:instrucciones|reglas|politicas)"),
        ),
    ),
)
# fmt: on

RULE_CODES: tuple[str, ...] = tuple(dict.fromkeys(rule.code for rule in RULES))


@dataclass(frozen=True)
class _RulePositions:
    """Where one rule's patterns sit in its view's PatternSet."""

    patterns: tuple[int, ...]
    requires: tuple[int, ...]
    unless: tuple[int, ...]


class RuleScanner:
    """The rule table with one RE2 prefilter per text view (bot/core/prefilter.py): a pattern
    runs in `re` only when the prefilter says it could match, so the findings are the same
    as running every pattern, in a fraction of the time on a long draft."""

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules
        collected: dict[TextView, list[re.Pattern[str]]] = {"strict": [], "light": []}
        self.positions: list[_RulePositions] = []
        for rule in rules:
            bucket = collected[rule.view]

            def place(patterns: tuple[re.Pattern[str], ...], bucket=bucket) -> tuple[int, ...]:
                start = len(bucket)
                bucket.extend(patterns)
                return tuple(range(start, len(bucket)))

            self.positions.append(
                _RulePositions(
                    place(rule.compiled), place(rule.compiled_requires), place(rule.compiled_unless)
                )
            )
        self.sets = {view: PatternSet.build(patterns) for view, patterns in collected.items()}

    def match(
        self, request: CheckRequest, views: dict[TextView, NormalizedText], prefilter: bool = True
    ) -> list[tuple[Rule, Finding]]:
        """Every rule that fires; `prefilter=False` tries every pattern in `re` (the reference
        the prefilter is measured and tested against)."""
        candidates = {
            view: (
                patterns.candidates(views[view].text)
                if prefilter
                else set(range(len(patterns.patterns)))
            )
            for view, patterns in self.sets.items()
            if view in views
        }
        fired: dict[str, tuple[Rule, Finding]] = {}
        for rule, where in zip(self.rules, self.positions, strict=True):
            if rule.code in fired or not rule.applies_to(request):
                continue
            possible = candidates[rule.view]
            if not any(index in possible for index in where.patterns):
                continue
            if not all(index in possible for index in where.requires):
                continue
            text = views[rule.view].text
            if any(
                pattern.search(text)
                for index, pattern in zip(where.unless, rule.compiled_unless, strict=True)
                if index in possible
            ):
                continue
            if not all(pattern.search(text) for pattern in rule.compiled_requires):
                continue
            for index, pattern in zip(where.patterns, rule.compiled, strict=True):
                if index not in possible:
                    continue
                match = pattern.search(text)
                if match:
                    fired[rule.code] = (rule, _finding(rule, views[rule.view], match))
                    break
        return list(fired.values())


_SCANNERS: dict[int, RuleScanner] = {}
_SCANNERS_LOCK = threading.Lock()


def scanner_for(rules: tuple[Rule, ...]) -> RuleScanner:
    """The scanner of a rule table, built once per table (engines reloaded on a policy
    change share it); the table is kept alive by its scanner, so its id stays its own."""
    scanner = _SCANNERS.get(id(rules))
    if scanner is None or scanner.rules is not rules:
        with _SCANNERS_LOCK:
            scanner = _SCANNERS.get(id(rules))
            if scanner is None or scanner.rules is not rules:
                scanner = _SCANNERS[id(rules)] = RuleScanner(rules)
    return scanner


def _finding(rule: Rule, view: NormalizedText, match: re.Match[str]) -> Finding:
    return Finding(
        code=rule.code,
        severity=rule.severity,
        message=rule.message,
        fix=rule.fix,
        span=view.span_in_source(match.start(), match.end()),
        topic=rule.topic,
    )


def match_rules(
    request: CheckRequest,
    views: dict[TextView, NormalizedText],
    rules: tuple[Rule, ...] = RULES,
    prefilter: bool = True,
) -> list[tuple[Rule, Finding]]:
    """Every rule that fires on the request, with its finding (the first match per code).
    `prefilter=False` runs every pattern (the reference the prefilter is checked against)."""
    return scanner_for(rules).match(request, views, prefilter)
