"""The deterministic rule table: what the engine looks for, how serious it is, what to fix.

Each `Rule` is data. `match_rules` is the only code that reads the table: a rule fires when
one of its patterns matches, every `requires` group has a match somewhere in the draft,
no `unless` pattern matches, and the request's account and incident flag fit its filters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from bot.core.models import Account, CheckRequest, Finding, Severity
from bot.core.patterns import (
    BADGE_NUMBER,
    CASE_NUMBER,
    DATE_OF_BIRTH,
    EMAIL,
    FIRST_NAME,
    LICENSE_PLATE,
    NAME,
    PHONE,
    STREET_ADDRESS,
    near,
    words,
)
from bot.core.text import NormalizedText

TextView = Literal["strict", "light"]

# Context vocabularies shared by several rules.
ENFORCEMENT = words(
    r"arrest\w*", r"suspects?", r"victims?", r"booked", r"charged", r"detain\w*", r"custody",
    r"cited", r"citation", r"crash(?:es)?", r"collision", r"burglar\w*", r"robber\w*",
    r"assault\w*", r"shooting", r"stabbing", r"homicide", r"murder\w*", r"theft", r"stole\w*",
    r"shoplift\w*", r"vandal\w*", r"DUI", r"DWI", r"warrants?", r"investigat\w*", r"scene",
    r"call(?:ed)? for service", r"responded", r"domestic", r"overdose\w*", r"dispatch\w*",
    r"complain\w*", r"incident", r"crime", r"offender", r"perp\w*", r"pursuit", r"traffic stop",
    r"pulled (?:him|her|them|over)", r"caught", r"handcuff\w*", r"cuffs", r"jail", r"court",
)  # fmt: skip
CRITICAL_INCIDENT = words(
    r"active shooter", r"shots fired", r"officer[- ]involved shooting", r"OIS", r"officer down",
    r"hostages?", r"barricaded", r"standoff", r"manhunt", r"mass casualty", r"bomb threat",
    r"lockdown", r"locked down", r"critical incident", r"shelter[- ]in[- ]place", r"explosion",
    r"evacuat\w*", r"amber alert",
)  # fmt: skip
DRILL = words(r"drill", r"training", r"exercise", r"scenario", r"class", r"course", r"academy")
MEDIA = words(
    r"photos?", r"pics?", r"pictures?", r"videos?", r"footage", r"clips?", r"images?",
    r"screenshots?", r"stills?", r"recording", r"selfie", r"snap", r"posting", r"post",
    r"sharing", r"share", r"upload\w*", r"here'?s", r"watch", r"check out", r"look at",
)  # fmt: skip
UNIFORM_OR_DUTY = words(
    r"in (?:my |full |dress )?uniform", r"uniformed", r"on[- ]duty", r"while working",
    r"at work today", r"in (?:my|the) (?:patrol car|squad car|cruiser|unit)", r"badge",
    r"as an? (?:police )?(?:officer|cop|deputy|detective|sergeant|trooper|lieutenant)",
    r"as (?:your|our) (?:police chief|chief|sheriff)", r"on behalf of (?:the|our) department",
    r"(?:the|our) department (?:endorses|supports|backs)", r"department (?:logo|seal|patch)",
    r"(?:officer|sgt|sergeant|deputy|detective|lt|captain)\.? \w+ (?:endorses|supports)",
)  # fmt: skip
POLITICAL = words(
    r"vote (?:for|yes|no|against)", r"voting (?:for|yes|no|against)", r"re-?elect\w*",
    r"elect \w+", r"campaign\w*", r"candidates?", r"endorse\w*", r"ballot", r"#vote\w*",
    r"(?:support|back)\w* \w+ for (?:mayor|sheriff|council|governor|senate|congress|president|"
    r"da|district attorney|judge|commissioner)",
    r"(?:for|as) (?:mayor|sheriff|governor|senator|president|district attorney)",
    r"(?:democrat|republican|libertarian|green) party", r"donate to \w+(?:'s)? campaign",
    r"yard signs?", r"proposition \d+", r"prop \d+", r"measure [A-Z0-9]+",
)  # fmt: skip
COLLEAGUE = words(
    r"sergeant'?s?", r"sarge'?s?", r"sgt'?s?", r"lieutenant'?s?", r"lt'?s?", r"captain'?s?",
    r"partner'?s?", r"co-?worker'?s?", r"colleague'?s?", r"chief'?s?", r"supervisor'?s?",
    r"fto'?s?", r"squad ?mates?'?s?", r"fellow officers?'?s?", r"(?:officer|deputy|detective) "
    r"\w+'s",
)  # fmt: skip
VICTIM = words(
    r"victims?'?s?", r"survivors? of", r"complainant", r"was (?:assaulted|raped|robbed|stabbed|"
    r"shot|killed|molested|abused|attacked|kidnapped|carjacked|beaten)",
)  # fmt: skip
WITNESS = words(r"witness(?:es)?'?s?", r"eyewitness\w*", r"reporting party", r"who called 911")
SUSPECT = words(
    r"suspects?'?s?", r"arrestees?", r"arrested", r"booked", r"charged with", r"detained",
    r"in custody", r"perps?", r"perpetrators?", r"offenders?", r"the accused", r"defendants?",
    r"wanted for", r"mug ?shots?", r"booking photo", r"picked up", r"locked up", r"cuffed",
)  # fmt: skip
IDENTIFIER = (
    rf"{NAME}|{STREET_ADDRESS}|\bname (?:is|was)\b|\blives (?:on|at|in|near)\b|\bworks at\b|"
    r"\b(?:her|his|their) (?:house|home|apartment|car|school|job|work|kids?|daughter|son|"
    r"husband|wife|boyfriend|girlfriend)\b|"
    r"\b(?:photo|pic|picture|video|image|selfie)s? (?:of|with) (?:the|her|him|them)\b"
)
JUVENILE = (
    r"\b(?:1[0-7]|[1-9])[- ](?:year|yr)s?[- ]old\b|\bage[sd]? (?:1[0-7]|[1-9])\b|"
    r"\b(?:1[0-7]|[1-9]) ?(?:yo|y/o)\b|"
    + words(r"juveniles?", r"minors?", r"teens?", r"teenagers?", r"juvie", r"youths?",
            r"(?:high|middle|elementary|junior high) school(?:er|ers)? (?:student|kid|boy|girl)s?",
            r"student at \w+ (?:high|middle|elementary)", r"kids? from \w+ (?:high|middle)")
)  # fmt: skip
JUVENILE_ENFORCEMENT = words(
    r"arrest\w*", r"suspects?", r"detain\w*", r"custody", r"cited", r"charged", r"booked",
    r"shoplift\w*", r"vandal\w*", r"stole\w*", r"theft", r"runaway", r"victims?", r"assault\w*",
    r"overdose\w*", r"fight", r"caught", r"cuffs", r"handcuff\w*", r"probation", r"crime",
    r"investigat\w*", r"warrant", r"juvie", r"crash\w*", r"abuse\w*", r"missing", r"trespass\w*",
    r"DUI", r"drugs?", r"weapon", r"gun", r"knife", r"graffiti", r"tagging", r"car ?jack\w*",
)  # fmt: skip


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

RULES: tuple[Rule, ...] = (
    Rule(
        code="victim_identity",
        severity="do_not_post",
        topic="victims and witnesses",
        query="victims identity name identify protect privacy release",
        message="Identifies, or gives details that could identify, a victim.",
        fix="Remove the victim's name and every detail that could identify them (address, "
        "workplace, photo, family). Only the PIO releases victim information.",
        patterns=(near(VICTIM, IDENTIFIER, 60), r"\bvictim'?s? name\b"),
    ),
    Rule(
        code="witness_identity",
        severity="do_not_post",
        topic="victims and witnesses",
        query="witnesses witness name identify statements protect",
        message="Identifies, or gives details that could identify, a witness.",
        fix="Remove the witness's name and anything that could identify them.",
        patterns=(near(WITNESS, IDENTIFIER, 60),),
    ),
    Rule(
        code="juvenile_identity",
        severity="do_not_post",
        topic="juveniles",
        query="juveniles minors under 18 enforcement identify name photo school",
        message="Involves a juvenile in an enforcement matter.",
        fix="Do not post about juveniles involved in enforcement, as suspects, victims or "
        "witnesses; no names, ages, schools or photos.",
        patterns=(near(JUVENILE, JUVENILE_ENFORCEMENT, 120),),
    ),
    Rule(
        code="informant_identity",
        severity="do_not_post",
        topic="confidential informants",
        query="confidential informants sources identity cooperating",
        message="Refers to an informant or confidential source.",
        fix="Remove any reference to informants or sources; their safety depends on it.",
        patterns=(
            words(
                r"informants?",
                r"snitch\w*",
                r"confidential sources?",
                r"cooperating "
                r"(?:witness|source|individual)s?",
                r"my sources?",
                r"our sources?",
            ),
            r"(?-i:\bC\.?I\.?s?\b)",
        ),
    ),  # fmt: skip
    Rule(
        code="suspect_identity",
        severity="do_not_post",
        topic="suspects and arrestees",
        query="suspects arrestees names photos mugshots personal accounts",
        message="Names or shows a suspect or arrestee from a personal account.",
        fix="Remove the person's name and photo; arrests are announced only by the department "
        "through the PIO.",
        patterns=(
            near(SUSPECT, NAME, 50),
            words(r"mug ?shots?", r"booking photos?"),
            near(SUSPECT, MEDIA, 30),
        ),
        accounts=PERSONAL_OR_UNKNOWN,
    ),  # fmt: skip
    Rule(
        code="official_suspect",
        severity="needs_review",
        topic="suspects and arrestees",
        query="suspects arrestees official accounts PIO approval release name photo",
        message="An official post that names or shows a suspect or arrestee needs PIO approval.",
        fix="Send it to the PIO; releases that name or show a person go out only once approved.",
        patterns=(
            near(SUSPECT, NAME, 50),
            words(r"mug ?shots?", r"booking photos?"),
            near(SUSPECT, MEDIA, 30),
        ),
        accounts=("official",),
    ),  # fmt: skip
    Rule(
        code="guilt_statement",
        severity="do_not_post",
        topic="pending cases and statements about guilt",
        query="statements about guilt pending cases opinion prosecution trial",
        message="States or implies guilt, or gives an opinion on a pending case.",
        fix="Do not comment on guilt or on pending cases; that can damage the prosecution.",
        patterns=(
            r"\b(?:he|she|they|this guy|the suspect|the defendant|the driver)(?:'s| is| was| are)?"
            r"\s+(?:\w+\s+)?(?:100%\s*)?guilty\b",
            words(
                r"guilty as sin",
                r"we got (?:our|the) (?:guy|man|woman|killer|shooter|perp)",
                r"got (?:our|the) (?:guy|man)",
                r"open[- ]and[- ]shut",
                r"slam dunk case",
                r"going away for (?:a long time|life|good|years)",
                r"throw the book at",
                r"lock (?:him|her|them) up",
                r"rot in (?:jail|prison|hell|a cell)",
                r"(?:he|she|they) (?:totally |definitely |obviously )?did it",
                r"no doubt (?:he|she|they) did",
                r"deserves? (?:the death penalty|to fry|life)",
                r"(?:the )?jury (?:should|better|needs to|will)",
            ),
            near(
                words(
                    r"trial",
                    r"pending (?:case|charges|prosecution)",
                    r"the case against",
                    r"defendants?",
                    r"charges against",
                    r"(?:upcoming|ongoing) case",
                ),
                words(
                    r"guilty",
                    r"innocent",
                    r"should",
                    r"deserves?",
                    r"obviously",
                    r"clearly",
                    r"no way",
                    r"joke",
                    r"disgrace",
                    r"hope",
                    r"walk(?:s|ing)? free",
                    r"get(?:s|ting)? off",
                    r"convict\w*",
                    r"my (?:opinion|take|two cents)",
                    r"i think",
                    r"i believe",
                ),
                80,
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="evidence_media",
        severity="do_not_post",
        topic="evidence and camera recordings",
        query="body-worn dash camera recordings evidence crime scene photos footage",
        message="Shares or describes evidence, camera footage or crime-scene media.",
        fix="Do not post evidence, body-worn or dash camera recordings, or crime-scene images; "
        "release of recordings goes through the department's records process.",
        patterns=(
            near(
                words(r"body ?cams?", r"body[- ]worn", r"bwc", r"dash ?cams?", r"in-car video"),
                MEDIA,
                40,
            ),
            near(
                words(
                    r"crime[- ]scenes?",
                    r"the scene",
                    r"evidence",
                    r"autopsy",
                    r"the body",
                    r"deceased",
                    r"fatal(?:ity)?",
                    r"the wreck",
                    r"homicide",
                ),
                words(
                    r"photos?",
                    r"pics?",
                    r"pictures?",
                    r"videos?",
                    r"footage",
                    r"clips?",
                    r"images?",
                    r"screenshots?",
                    r"stills?",
                ),
                25,
            ),
            words(
                r"evidence (?:room|locker|bag|table|photos?)",
                r"crime[- ]scene (?:photos?|pics?|"
                r"video|images?)",
            ),
        ),
        unless=(words(r"no (?:photos?|pictures?|video)", r"without (?:photos?|pictures?)"),),
    ),  # fmt: skip
    Rule(
        code="tactical_info",
        severity="do_not_post",
        topic="operational and tactical information",
        query="operational tactical planned raids warrant service staging staffing shift "
        "schedules patrol patterns officer locations",
        message="Reveals tactical or operational details (operations, staging, staffing, "
        "schedules or locations).",
        fix="Remove the operation, timing, staging, staffing or location details; they put "
        "officers and operations at risk.",
        patterns=(
            near(
                words(
                    r"raids?",
                    r"search warrants?",
                    r"warrant service",
                    r"serv(?:e|ing) "
                    r"(?:a|the|an?) \w* ?warrant",
                    r"no[- ]knock",
                    r"sting",
                    r"buy[- ]bust",
                    r"takedown",
                    r"operation \w+",
                    r"swat",
                    r"entry team",
                    r"roundup",
                ),
                words(
                    r"tomorrow",
                    r"tonight",
                    r"at \d{1,2}(?::\d\d)?",
                    r"\d{3,4} ?(?:hours|hrs)",
                    r"\d{1,2}(?::\d\d)? ?(?:am|pm|a\.m\.|p\.m\.)",
                    r"o'?clock",
                    r"this (?:week|"
                    r"morning|afternoon|evening|weekend)",
                    r"in the morning",
                    r"monday",
                    r"tuesday",
                    r"wednesday",
                    r"thursday",
                    r"friday",
                    r"saturday",
                    r"sunday",
                    r"staging",
                    r"going in",
                    r"hit(?:ting)? (?:the|that) (?:house|place|spot)",
                    r"on \w+ (?:st|street|ave|avenue|rd|road)",
                    r"at dawn",
                    r"sunrise",
                    r"next week",
                    r"soon",
                ),
                80,
            ),
            words(
                r"stag(?:e|ing) (?:at|area|in|behind|near|location)",
                r"we(?:'re| are| will be)"
                r" staging",
                r"rally point",
                r"command post (?:is|at)",
                r"perimeter (?:at|on|is set)",
            ),
            r"\b(?:only|just)\s+(?:\w+\s+)?(?:\d+|one|two|three|four|five)\s+(?:officers?|"
            r"deputies|units|cars|guys|cops|of us)\b.{0,40}?\b(?:on|working|covering|on duty|"
            r"on patrol|tonight|today|for the)\b",
            words(
                r"short[- ]?staffed",
                r"skeleton crew",
                r"minimum staffing",
                r"no (?:one|units|officers|cars|deputies) (?:covering|on patrol|patrolling)",
                r"(?:shift|patrol) (?:schedule|rotation|pattern|routes?)",
                r"shift change (?:is )?at",
                r"(?:our|my) patrol route",
                r"(?:unpatrolled|uncovered) (?:tonight|until)",
                r"(?:i'?m|we'?re) (?:posted|parked|sitting|set up) (?:at|on|behind|by)",
                r"speed trap (?:at|on)",
                r"(?:checkpoint|surveillance) (?:at|on|location)",
            ),
        ),
        unless=(words(r"retired", r"years ago", r"back in (?:the day|\d{4})"),),
    ),  # fmt: skip
    Rule(
        code="cjis_data",
        severity="do_not_post",
        topic="criminal justice information",
        query="criminal justice information NCIC CJIS database records checks disclose",
        message="Discloses information from criminal-justice databases or records checks.",
        fix="Remove it; database results are for official use only and may never be posted.",
        patterns=(
            words(
                r"NCIC",
                r"CJIS",
                r"NLETS",
                r"LEADS",
                r"TLETS",
                r"CLETS",
                r"LEIN",
                r"rap sheets?",
                r"criminal histor(?:y|ies)",
                r"records? checks?",
                r"ran (?:his|her|their|the|a|this guy'?s|the guy'?s) (?:plates?|names?|tags?|"
                r"license|record|history|info|priors)",
                r"ran (?:him|her|them)",
                r"dmv (?:records?|photo|info|lookup)",
                r"warrants? check",
                r"(?:his|her|their) (?:record|history) (?:shows|showed|came back)",
                r"\d+ priors",
                r"prior (?:arrests|convictions)",
                r"came back (?:with|hot|dirty) ",
                r"hit (?:in|on) (?:ncic|the system)",
                r"(?:pulled|looked) up (?:his|her|their) (?:record|history|file|info)",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="threat",
        severity="do_not_post",
        topic="threats and harassment",
        query="threats violence harassment intimidation",
        message="Contains a threat of violence or intimidation.",
        fix="Do not post it. Threats are misconduct whatever the account.",
        patterns=(
            r"\b(?:i(?:'ll| will| am going to|'m going to|'m gonna| gonna| wanna)|we(?:'ll| will| "
            r"are going to|'re gonna)|someone (?:should|needs to)|somebody (?:should|needs to))"
            r"\s+(?:\w+\s+){0,2}?(?:kill|shoot|beat|hurt|smash|bury|destroy|choke|stomp|find|"
            r"end|cap|shank|run over|taze|tase)\s+(?:you|him|her|them|that guy|these|those|the "
            r"next|every|some|anyone|whoever|this (?:guy|dude|punk|kid)|protesters?|people)\b",
            words(
                r"deserves? (?:a bullet|to (?:die|be shot|be beaten|get shot|hang))",
                r"watch your back",
                r"i know where (?:you|he|she|they) lives?",
                r"you(?:'ll| will) (?:regret|pay for)",
                r"(?:should|ought to) be (?:shot|hanged|"
                r"hung|beaten|killed|put down|lined up)",
                r"crack (?:some )?skulls",
                r"wouldn'?t mind (?:shooting|beating|hurting)",
                r"(?:hope|wish) (?:they|he|she|you) (?:die|dies|gets? shot)",
                r"(?:i|we)(?:'d| would) (?:love|like) to (?:shoot|beat|kill|hurt)",
                r"run (?:them|those protesters|'em) over",
                r"snitches get stitches",
                r"(?:next|one more) time .{0,30} (?:you|he|she)(?:'ll| will) (?:get|be) hurt",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="slur",
        severity="do_not_post",
        topic="discrimination and slurs",
        query="slurs discrimination race religion gender sexual orientation disability",
        message="Contains a slur or derogatory term for a protected group.",
        fix="Do not post it. Slurs violate the discrimination policy on any account.",
        patterns=(
            words(
                r"n[i1!]gg(?:er|a|ah|az|ers)",
                r"sp[i1]cs?",
                r"wetbacks?",
                r"ch[i1]nks?",
                r"gooks?",
                r"k[i1]kes?",
                r"f[a@]gg?(?:ot)?s?",
                r"dykes?",
                r"trann(?:y|ies)",
                r"retards?",
                r"retarded",
                r"towelheads?",
                r"raghead\w*",
                r"sand ?n[i1]gg\w*",
                r"beaners?",
                r"coons?",
                r"jungle bunn(?:y|ies)",
                r"porch monkeys?",
                r"camel jockeys?",
                r"gypped",
                r"savages?",
                r"mongoloids?",
                r"sodomites?",
            ),
        ),
        unless=(r"\b(?:raccoons?|cocoons?)\b",),
    ),  # fmt: skip
    Rule(
        code="group_disparagement",
        severity="do_not_post",
        topic="discrimination and disparagement",
        query="disparaging groups discrimination protected classes demeaning community members",
        message="Demeans a group of people.",
        fix="Do not post it; disparaging a group undermines public trust and breaks policy.",
        patterns=(
            r"\b(?:all|these|those|typical|most|every|the)\s+(?:\w+\s+)?(?:immigrants|illegals|"
            r"muslims|jews|christians|blacks|whites|mexicans|hispanics|latinos|asians|arabs|gays|"
            r"lesbians|trans (?:people|folks)|transgenders|women|females|liberals|conservatives|"
            r"democrats|republicans|homeless|bums|addicts|junkies|protesters|foreigners|refugees|"
            r"\w+ people)\b.{0,40}?\b(?:are|belong|should|deserve|need to|is)\b.{0,30}?\b(?:"
            r"animals|savages|criminals|trash|garbage|scum|lazy|stupid|dumb|dangerous|thugs|"
            r"vermin|parasites|go back|deported|locked up|shot|worthless|disgusting|subhuman|"
            r"filth|cockroaches|roaches|a plague|a disease|inferior|the problem)\b",
            words(
                r"ghetto trash",
                r"trailer trash",
                r"welfare queens?",
                r"illegal aliens? "
                r"(?:are|should)",
                r"(?:those|these) (?:animals|savages|thugs|vermin|"
                r"cockroaches|parasites)",
                r"this neighborhood is (?:a )?(?:zoo|jungle)",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="colleague_disparagement",
        severity="revise",
        topic="disparagement of colleagues",
        query="disparaging colleagues coworkers supervisors department respect",
        message="Disparages a colleague, supervisor or the department.",
        fix="Remove the insult; raise workplace problems through your chain of command instead.",
        patterns=(
            r"\b(?:my|our|the)\s+(?:new\s+)?(?:sergeant|sarge|sgt|lieutenant|lt|captain|partner|"
            r"coworkers?|co-workers?|chief|supervisor|boss|rookies?|fto|dispatchers?|dispatch|"
            r"squad|shift|command staff|admin|brass|day shift|night shift|detectives?)\b.{0,40}?"
            r"\b(?:is|are|was|were)\s+(?:(?:such|so|a|an|total|complete|absolute|the|totally|"
            r"completely|utterly)\s+){0,3}(?:idiots?|morons?|clowns?|jokes?|useless|lazy|"
            r"incompetent|worthless|dumb|stupid|clueless|cowards?|a waste|disgraces?|pathetic|"
            r"dumbest|laziest|worst|brain ?dead|trash|garbage)\b",
            words(
                r"(?:useless|lazy|incompetent|clueless|idiot|moron|dumbass|worthless) "
                r"(?:sergeants?|sarge|lieutenants?|partners?|coworkers?|captains?|chief|"
                r"rookies?|dispatchers?|brass|admin|supervisors?|detectives?)"
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="political_on_duty",
        severity="do_not_post",
        topic="political activity",
        query="political activity uniform on-duty official account limits campaign endorse",
        message="Political campaigning in uniform, on duty, with your title, or for the "
        "department.",
        fix="Political opinions are yours to share as a private citizen: post without uniform, "
        "badge, rank or department name, and never on duty or from an official account.",
        patterns=(near(POLITICAL, UNIFORM_OR_DUTY, 120),),
    ),
    Rule(
        code="political_on_duty",
        severity="do_not_post",
        topic="political activity",
        query="official department accounts political endorsements campaigns prohibited",
        message="An official department account may not take political sides.",
        fix="Remove the endorsement; official accounts stay neutral in elections and ballot "
        "measures.",
        patterns=(POLITICAL,),
        accounts=("official",),
        unless=(
            words(
                r"voter registration",
                r"polling (?:place|location)s?",
                r"register to "
                r"vote",
                r"election day traffic",
                r"early voting (?:hours|sites?)",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="uniform_personal",
        severity="revise",
        topic="uniform, badge and insignia on personal accounts",
        query="personal accounts uniform badge insignia patch photos identifying employee",
        message="Shows the uniform, badge or department insignia on a personal account.",
        fix="Use a photo without the uniform, badge, patch or marked car, or ask the PIO to "
        "approve it.",
        patterns=(
            words(
                r"in (?:my |full |dress |the )?uniform",
                r"uniform (?:pics?|photos?|selfies?)",
                r"(?:my|the|our) badge",
                r"badge (?:pics?|photos?|selfies?)",
                r"(?:department|agency|police|sheriff'?s?|pd) (?:patch|insignia|logo|seal)",
                r"shoulder patch",
                r"duty (?:belt|gear)",
                r"wearing (?:my|the) (?:uniform|"
                r"badge|vest)",
                r"(?:patrol|squad) car (?:selfies?|pics?|photos?)",
                r"selfies? (?:in|with|next to) (?:my|the) (?:cruiser|squad car|patrol car|unit)",
                r"photos? of (?:me|myself) in (?:my )?uniform",
            ),
        ),
        accounts=PERSONAL_OR_UNKNOWN,
        unless=(r"\bbadge\s*(?:no\.?|number|num|#)",),
    ),  # fmt: skip
    Rule(
        code="business_endorsement",
        severity="revise",
        topic="endorsements and outside business",
        query="endorsements outside business rank title uniform promote commercial",
        message="Uses your rank, title or uniform to promote a business.",
        fix="Remove the rank, title and uniform, or drop the promotion; the department does "
        "not endorse businesses.",
        patterns=(
            near(
                words(
                    r"in (?:my |full )?uniform",
                    r"on duty",
                    r"as an? (?:police )?(?:officer|"
                    r"cop|deputy|detective|sergeant|trooper)",
                    r"cop[- ]approved",
                    r"police[- ]approved",
                    r"officer[- ]approved",
                    r"badge",
                    r"(?:officer|sgt|sergeant|deputy|detective|lt|captain)\.? [A-Z]\w+ "
                    r"(?:recommends|approves|endorses)",
                ),
                words(
                    r"recommend\w*",
                    r"best (?:\w+ )?(?:in town|pizza|coffee|burgers?|gym|shop|"
                    r"deals?|prices?)",
                    r"promo code",
                    r"discount code",
                    r"\d+% off",
                    r"sponsor\w*",
                    r"my (?:side )?(?:business|shop|company|hustle)",
                    r"(?:his|her|their|my (?:buddy|friend|brother|wife|husband)'?s?) "
                    r"(?:business|shop|store|restaurant|gym|dealership|company)",
                    r"tell (?:them|him|her) .{0,20} sent you",
                    r"go (?:see|visit)",
                    r"(?:buy|order|shop) (?:from|at)",
                    r"discount",
                ),
                100,
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="undercover_identity",
        severity="do_not_post",
        topic="undercover and plain-clothes assignments",
        query="undercover plain clothes assignments identity photos officers",
        message="Could expose an undercover or plain-clothes officer or assignment.",
        fix="Remove it; never identify undercover officers or their assignments.",
        patterns=(
            near(
                words(
                    r"undercover",
                    r"under cover",
                    r"plain[- ]?clothes",
                    r"UC (?:officer|"
                    r"detective|guy|work)",
                    r"narcs?",
                    r"deep cover",
                    r"vice (?:unit|squad)",
                ),
                rf"{NAME}|{FIRST_NAME}|"
                + words(
                    r"photos?",
                    r"pics?",
                    r"pictures?",
                    r"selfie",
                    r"working",
                    r"meet",
                    r"shout ?out",
                    r"tag(?:ged)?",
                    r"this is",
                    r"that'?s",
                    r"assignment",
                    r"operation",
                    r"tonight",
                    r"now",
                    r"name",
                ),
                60,
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="colleague_privacy",
        severity="do_not_post",
        topic="officer safety and privacy of colleagues and families",
        query="privacy of colleagues home addresses children family members officer safety",
        message="Exposes a colleague's home, family or vehicle.",
        fix="Remove it; colleagues' homes, families, children and vehicles stay private for "
        "their safety.",
        patterns=(
            near(
                COLLEAGUE,
                words(
                    r"home address",
                    r"lives (?:at|on|in|near|over)",
                    r"where "
                    r"(?:he|she|they) lives?",
                    r"house (?:is|on|at)",
                    r"kids'? school",
                    r"(?:kids|children|son|daughter) (?:go|goes|"
                    r"attends?) (?:to )?\w+",
                    r"drives? a",
                    r"(?:his|her|their) "
                    r"(?:car|truck|plate)",
                    r"license plate",
                )
                + "|"
                + STREET_ADDRESS,
                60,
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="confidential_info",
        severity="do_not_post",
        topic="confidential and investigative information",
        query="confidential information active investigations internal disclose",
        message="Discloses confidential or investigative information.",
        fix="Remove it; investigative and internal information is released only by the department.",
        patterns=(
            words(
                r"internal affairs",
                r"IA (?:investigation|case|complaint)",
                r"internal investigations?",
                r"confidential",
                r"don'?t tell anyone",
                r"between (?:us|you and me)",
                r"off the record",
                r"internal memo",
                r"leaked",
                r"sealed (?:records?|warrants?|indictments?|affidavits?)",
                r"grand jury",
                r"(?:search|arrest) warrant affidavit",
                r"(?:we|i) (?:got|received) a tip",
                r"the investigation (?:shows|revealed|found|"
                r"is focusing|is looking)",
                r"(?:lab|tox|toxicology|dna|ballistics) results?",
                r"autopsy results?",
                r"cause of death",
                r"person of interest",
                r"leads? (?:on|in) the case",
                r"detectives? (?:think|believe|suspect|are "
                r"looking at)",
                r"(?:personnel|disciplinary) (?:files?|records?|action)",
                r"(?:was|got|been) (?:suspended|fired|terminated|written up)",
                r"not (?:been )?released (?:yet|to the public)",
                r"(?:we|they) (?:haven'?t|have "
                r"not) released",
                r"not public yet",
            ),
        ),
        unless=(
            words(
                r"confidential (?:tip line|hotline)",
                r"tips? (?:can|may) (?:be|remain) "
                r"(?:anonymous|confidential)",
                r"remain confidential",
                r"kept confidential",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="media_inquiry",
        severity="needs_review",
        topic="media inquiries and the PIO",
        query="media inquiries reporters news PIO refer statements",
        message="A media inquiry: statements to the press go through the PIO.",
        fix="Do not answer the reporter yourself; refer them to the PIO, who will respond.",
        patterns=(
            near(
                words(
                    r"reporters?",
                    r"journalists?",
                    r"news (?:station|crew|outlet|desk|van)",
                    r"the press",
                    r"press",
                    r"the media",
                    r"newspaper",
                    r"channel \d+",
                    r"(?:abc|nbc|cbs|fox|cnn|msnbc)",
                    r"podcast(?:er)?",
                    r"editor",
                    r"the (?:times|gazette|herald|tribune|post|chronicle|journal|news)",
                ),
                words(
                    r"asked",
                    r"asking",
                    r"called",
                    r"emailed",
                    r"messaged",
                    r"dm'?d",
                    r"reached out",
                    r"contacted",
                    r"wants",
                    r"request(?:ed|s)?",
                    r"interview",
                    r"comments?",
                    r"statements?",
                    r"quotes?",
                    r"on the record",
                ),
                60,
            ),
            words(r"media (?:inquiry|request|inquiries)", r"press (?:inquiry|request)"),
        ),
    ),  # fmt: skip
    Rule(
        code="unverified_claim",
        severity="needs_review",
        topic="unverified information and rumours",
        query="unverified information rumors unconfirmed reports",
        message="Passes on unverified information about an incident.",
        fix="Post only what is confirmed, and during an incident only through the PIO.",
        patterns=(
            words(
                r"heard",
                r"hearing",
                r"rumou?rs?",
                r"unconfirmed",
                r"not (?:yet )?confirmed",
                r"reportedly",
                r"allegedly",
                r"sources? (?:say|said|tell|told)",
                r"word is",
                r"apparently",
                r"supposedly",
                r"might (?:be|have)",
                r"may have been",
                r"could be",
                r"possibly",
                r"i think",
                r"people are saying",
                r"going around",
                r"scanner (?:says|traffic)",
                r"per the scanner",
                r"according to (?:the )?scanner",
                r"(?:i|we) (?:was|were) told",
                r"someone said",
                r"not sure (?:if|but)",
            ),
        ),
        requires=(
            CRITICAL_INCIDENT
            + "|"
            + words(
                r"shooting",
                r"shooter",
                r"suspects?",
                r"gunman",
                r"victims?",
                r"hostages?",
                r"dead",
                r"killed",
                r"injured",
                r"casualt\w+",
                r"bomb",
                r"fire",
                r"crash",
                r"scene",
                r"incident",
                r"lockdown",
            ),
        ),
    ),  # fmt: skip
    Rule(
        code="incident_statement",
        severity="needs_review",
        topic="critical incidents",
        query="statements about an active incident critical incidents PIO",
        message="A statement about an active critical incident: only the PIO releases it.",
        fix="Send it to the PIO; during an active incident all public statements come from "
        "the PIO.",
        patterns=(
            ENFORCEMENT,
            CRITICAL_INCIDENT,
            words(
                r"shots?",
                r"gun\w*",
                r"evacuat\w*",
                r"shelter",
                r"road(?:s)? (?:closed|"
                r"closure)",
                r"avoid the area",
                r"police activity",
                r"on scene",
                r"responding",
                r"injur\w*",
                r"wounded",
                r"dead",
                r"killed",
                r"casualt\w+",
                r"fire",
                r"update",
                r"situation",
                r"search for",
                r"perimeter",
                r"swat",
                r"bomb",
                r"missing",
                r"stay (?:inside|away|safe|clear|indoors)",
                r"officers?",
                r"hospital",
                r"what happened",
                r"details",
            ),
        ),
        incident=True,
    ),  # fmt: skip
    Rule(
        code="incident_statement",
        severity="needs_review",
        topic="critical incidents",
        query="statements about an active incident critical incidents PIO",
        message="Talks about what looks like an active critical incident: only the PIO "
        "releases information about it.",
        fix="Send it to the PIO; during an active incident all public statements come from "
        "the PIO.",
        patterns=(CRITICAL_INCIDENT,),
        unless=(DRILL, words(r"years ago", r"anniversary", r"remember(?:ing)?", r"in memory")),
        incident=False,
    ),  # fmt: skip
    Rule(
        code="street_address",
        severity="revise",
        topic="personal identifying information",
        query="personal identifying information street addresses remove",
        message="Gives a street address connected to an enforcement matter.",
        fix='Remove the street address, or generalise it ("the 400 block", "downtown").',
        patterns=(STREET_ADDRESS,),
        requires=(ENFORCEMENT,),
        view="light",
    ),
    Rule(
        code="phone_number",
        severity="revise",
        topic="personal identifying information",
        query="street addresses phone numbers remove",
        message="Includes a phone number connected to an enforcement matter.",
        fix="Remove the phone number; use the department's public non-emergency line if needed.",
        patterns=(PHONE,),
        requires=(ENFORCEMENT,),
        unless=(words(r"non-?emergency", r"tip ?line", r"hotline", r"crime ?stoppers"),),
        view="light",
    ),  # fmt: skip
    Rule(
        code="license_plate",
        severity="revise",
        topic="personal identifying information",
        query="license plates tags remove blur",
        message="Shows a licence plate.",
        fix="Remove or blur the licence plate.",
        patterns=(LICENSE_PLATE,),
        view="light",
    ),
    Rule(
        code="case_number",
        severity="revise",
        topic="personal identifying information",
        query="case numbers report numbers personal identifying information remove",
        message="Includes a case or report number.",
        fix="Remove the case or report number.",
        patterns=(CASE_NUMBER,),
        view="light",
    ),
    Rule(
        code="badge_number",
        severity="revise",
        topic="personal identifying information",
        query="badge numbers identifying information employees remove",
        message="Includes a badge number.",
        fix="Remove the badge number.",
        patterns=(BADGE_NUMBER,),
        view="light",
    ),
    Rule(
        code="date_of_birth",
        severity="revise",
        topic="personal identifying information",
        query="dates of birth personal identifying information remove",
        message="Includes a date of birth.",
        fix="Remove the date of birth.",
        patterns=(DATE_OF_BIRTH,),
        view="light",
    ),
    Rule(
        code="email_address",
        severity="revise",
        topic="personal identifying information",
        query="personal identifying information email addresses contact details remove",
        message="Includes an email address connected to an enforcement matter.",
        fix="Remove the email address.",
        patterns=(EMAIL,),
        requires=(ENFORCEMENT,),
        view="light",
    ),
    Rule(
        code="prompt_injection",
        severity="info",
        topic="review and escalation procedure",
        query="text inside a draft instructions review",
        message="The draft contains instructions to the checker; they were ignored.",
        fix="Nothing to change for the check; the post is judged on its content.",
        patterns=(
            words(
                r"ignore (?:all |any |the |your |previous |prior |above |earlier )*(?:"
                r"instructions|rules|policy|policies|guidelines|prompts?)",
                r"disregard (?:all |any |the |your |previous |prior )*(?:instructions|rules|"
                r"policy|policies|guidelines)",
                r"system\s*:",
                r"you are now",
                r"(?:answer|respond|reply|say|output|return|mark|classify) (?:with )?"
                r"[\"']?(?:ok|approved|safe|fine)\b",
                r"this (?:post )?(?:is|has been) "
                r"(?:pre-?)?approved",
                r"as the pio,? i (?:authori[sz]e|approve)",
                r"(?:override|bypass) (?:the )?(?:policy|rules|checks?)",
                r"verdict\s*[:=]\s*[\"']?ok",
            ),
        ),
    ),  # fmt: skip
)

RULE_CODES: tuple[str, ...] = tuple(dict.fromkeys(rule.code for rule in RULES))


def match_rules(
    request: CheckRequest,
    views: dict[TextView, NormalizedText],
    rules: tuple[Rule, ...] = RULES,
) -> list[tuple[Rule, Finding]]:
    """Every rule that fires on the request, with its finding (first match per code)."""
    fired: dict[str, tuple[Rule, Finding]] = {}
    for rule in rules:
        if rule.code in fired or not rule.applies_to(request):
            continue
        view = views[rule.view]
        text = view.text
        if any(pattern.search(text) for pattern in rule.compiled_unless):
            continue
        if not all(pattern.search(text) for pattern in rule.compiled_requires):
            continue
        for pattern in rule.compiled:
            match = pattern.search(text)
            if match:
                span = view.span_in_source(match.start(), match.end())
                finding = Finding(
                    code=rule.code,
                    severity=rule.severity,
                    message=rule.message,
                    fix=rule.fix,
                    span=span,
                    topic=rule.topic,
                )
                fired[rule.code] = (rule, finding)
                break
    return list(fired.values())
