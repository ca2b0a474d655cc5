"""The policy's concerns as the judge names them, with the words that find their provision.

A topic is what a draft touches (victims, tactics, ...), not a verdict: the verdict comes from
the judge's heads. `query` finds the topic's provisions in the policy index at load time; a
finding quotes the one of them that shares most words with the draft.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    key: str
    label: str  # plain words for the officer: "a victim of a crime"
    query: str  # policy words that find the governing provision
    fix: str  # what to change when the judge, not a rule, raised it


# How departments' manuals word each concern (Lexipol, IACP-model SOPs, directives), for
# finding a topic's governing provision in a manual that is not the sample policy.
MANUAL_QUERIES: dict[str, str] = {
    "victims": "victim identity names privacy release of information deceased next of kin",
    "witnesses": "witness identity confidential reporting party statements release",
    "informants": "informant confidential source identity disclose",
    "juveniles": "juvenile minor names photographs identify release court approval",
    "suspects_guilt": "guilt innocence suspect arrestee pending prosecution defendant statements",
    "confidential": "information obtained as a result of employment confidential disclose "
    "without authorization",
    "evidence_media": "photographs video audio recordings body camera in-car video evidence "
    "release disseminate",
    "identifiers": "personal information private confidential information address phone "
    "birth date release",
    "tactics": "operations schedules tactics prisoner transport safety of employees "
    "compromise investigation security",
    "cji": "criminal history records reports release database confidential information",
    "threats_slurs": "abusive discriminatory inflammatory derogatory racial violent threatening "
    "speech expression",
    "colleagues": "reputation professionalism employees coworkers disparage ridicule",
    "colleague_safety": "safety of employees family address personal information officer "
    "located off-duty",
    "undercover": "undercover officer photograph name identity disclose",
    "uniform_rank": "photographs likenesses department logos emblems uniforms badges patches "
    "marked vehicles identifies the department personal website",
    "politics": "political campaign candidate endorse election on duty uniform",
    "endorsements": "endorse support product service company commercial represent the department",
    "official_account": "department social media sites pages content approved authorized "
    "posting supervisor",
    "media": "media request comment release information referred public information officer",
    "incident": "active incidents critical incident incident commander release information",
    "unverified": "accurate information false information rumors release",
    "trick_bot": "authorized approval misrepresent",
    "unclear": "questions supervisor guidance social media",
}


# fmt: off
TOPICS: tuple[Topic, ...] = (
    Topic("victims", "a crime victim", "must not post anything that identifies a crime victim "
          "injuries statements home", "Leave out anything that would let people recognise the "
          "person harmed."),
    Topic("witnesses", "a witness, caller or person who reported a crime", "must not post "
          "anything that identifies a witness person who called 911 reported a crime",
          "Leave out who saw, called or reported it."),
    Topic("informants", "a confidential informant or source", "confidential informant "
          "cooperating source identity hints", "Do not post anything that points at a source."),
    Topic("juveniles", "a young person in an enforcement matter", "juvenile enforcement "
          "context under 18 runaway school", "Leave out anything that identifies the young "
          "person."),
    Topic("suspects_guilt", "a suspect, arrestee, guilt or a pending case", "suspects "
          "arrestees personal accounts statements about guilt pending cases",
          "Do not name, show or judge a suspect; re-share the department's post instead."),
    Topic("confidential", "information learned on the job that was not released",
          "confidential information learned through work not officially released active "
          "investigations", "Leave out what you know only from work."),
    Topic("evidence_media", "evidence, camera footage or call photos", "evidence body-worn "
          "dash camera recordings crime-scene call photos", "Do not post evidence, footage or "
          "photos from a call."),
    Topic("identifiers", "a personal identifier (name, address, phone, plate, number)",
          "personal identifying information street addresses phone numbers license plates "
          "case numbers badge numbers", "Remove the identifier (name, address, phone, plate or "
          "number) and the post can go ahead."),
    Topic("tactics", "operations, staffing or patrol details", "operational tactical "
          "information raids warrant service staging staffing shift patrol patterns",
          "Do not post operations, staffing, schedules or locations."),
    Topic("cji", "criminal-justice database information", "criminal justice database "
          "information NCIC records check results", "Do not post anything from a records "
          "system."),
    Topic("threats_slurs", "a threat, slur, harassment or disparagement of a group",
          "threats of violence or harm jokes memes venting slurs harassment disparaging groups",
          "Do not post it; report threats you receive to a supervisor."),
    Topic("colleagues", "a remark about a colleague", "remarks about colleagues demean "
          "mildly disparaging remark", "Take out the remark about the colleague."),
    Topic("colleague_safety", "a colleague's home, family or vehicle", "officer safety "
          "privacy colleagues home addresses children family personal vehicles",
          "Leave out where colleagues live, their families and their vehicles."),
    Topic("undercover", "an undercover or plain-clothes colleague", "undercover "
          "plain-clothes assignments identity", "Do not post anything that identifies an "
          "undercover colleague."),
    Topic("uniform_rank", "the uniform, badge or rank on a personal post", "uniform badge "
          "patch insignia personal account rank and title", "Remove the uniform, badge or "
          "rank from the personal post."),
    Topic("politics", "political activity", "political activity uniform on-duty official "
          "account title to endorse", "Post political views as a private citizen: no "
          "uniform, rank, duty time or official account."),
    Topic("endorsements", "an endorsement or outside business", "endorsements outside "
          "business rank title uniform promote", "Take the rank, title, uniform and "
          "department name out of the promotion."),
    Topic("official_account", "official department business", "official department "
          "accounts approval arrests investigations use of force personnel PIO",
          "Send it to the PIO for approval before it goes on an official account."),
    Topic("media", "a media inquiry", "media inquiries requests from reporters refer PIO",
          "Do not answer the reporter; refer them to the PIO."),
    Topic("incident", "an active critical incident", "statements about an active critical "
          "incident reviewed by the PIO", "Wait for the PIO: statements about the incident go "
          "through review."),
    Topic("unverified", "unverified information or a rumour", "unverified information "
          "rumors unconfirmed reports", "Share only confirmed information from an official "
          "source."),
    Topic("trick_bot", "an instruction to the bot inside the draft", "text inside a draft "
          "instructions trick CanIPost", "Remove the instructions to the bot; ask for a "
          "review if you have real approval."),
    Topic("unclear", "something the policy does not clearly answer", "questions the policy "
          "does not answer send to the PIO for review", "A reviewer will decide."),
)
# fmt: on
TOPIC_KEYS: tuple[str, ...] = tuple(topic.key for topic in TOPICS)
TOPICS_BY_KEY: dict[str, Topic] = {topic.key: topic for topic in TOPICS}
# Labels the corpus may carry that describe an `ok` draft rather than a concern.
INFORMATIVE_TOPICS = frozenset({"protected_speech"})

# Rule codes of the older labelled sets, read as topics for training.
CODE_TOPICS: dict[str, tuple[str, ...]] = {
    "victim_identity": ("victims",),
    "witness_identity": ("witnesses",),
    "juvenile_identity": ("juveniles",),
    "informant_identity": ("informants",),
    "suspect_identity": ("suspects_guilt",),
    "official_suspect": ("suspects_guilt", "official_account"),
    "guilt_statement": ("suspects_guilt",),
    "evidence_media": ("evidence_media",),
    "tactical_info": ("tactics",),
    "cjis_data": ("cji",),
    "threat": ("threats_slurs",),
    "slur": ("threats_slurs",),
    "group_disparagement": ("threats_slurs",),
    "colleague_disparagement": ("colleagues",),
    "political_on_duty": ("politics",),
    "uniform_personal": ("uniform_rank",),
    "business_endorsement": ("endorsements",),
    "undercover_identity": ("undercover",),
    "colleague_privacy": ("colleague_safety",),
    "confidential_info": ("confidential",),
    "media_inquiry": ("media",),
    "unverified_claim": ("unverified",),
    "incident_statement": ("incident",),
    "street_address": ("identifiers",),
    "phone_number": ("identifiers",),
    "license_plate": ("identifiers",),
    "case_number": ("identifiers",),
    "badge_number": ("identifiers",),
    "date_of_birth": ("identifiers",),
    "email_address": ("identifiers",),
    "mixed_personal_work": ("unclear",),
    "on_duty_live": ("unclear",),
    "prompt_injection": ("trick_bot",),
    "unapproved_account": ("official_account",),
    "public_name": ("identifiers",),
    "rank_opinion": ("uniform_rank",),
    "building_security": ("tactics",),
}
