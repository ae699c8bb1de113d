"""The cue lists the content scorer matches: STAR parts, reasoning outlines, numbers, tools.

Patterns run on a sentence's normal form (lower case, punctuation off the edges; see
``scoring.text.norm``). Each found part keeps its sentence as evidence (``content.py``).
"""

from __future__ import annotations

import re

from interviewsense.domain import InterviewType

Cues = dict[str, list[str]]

# "I", "I've", and "I'd" where it is "I had": not before an act below whose past is its base
# form, where it is as often "I would" ("I'd split the rollback" is a plan: a review, session
# 53; "I'd set up alerts the week before" is lost with it).
_I = r"\bi\b(?:'ve|'d(?! (?:set|split|cut|put|hit|shut)\b))?"
# A number said in words or digits: "from four hours to 25 minutes".
_NUM = (
    r"(?:\$?\d[\w.,$%]*|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|"
    r"fifty|sixty|seventy|eighty|ninety|a hundred|hundreds|a thousand|thousands|a million|"
    r"millions|a dozen|dozens|half|a third|a quarter|a few|several|a couple|nothing|none|days|"
    r"weeks|months|hours|minutes|seconds|an hour|a day|a week|a month)"
)
# How near a number is: "from about 40 to just under nine", "to a little over two".
_ABOUT = (
    r"(?:(?:about|around|roughly|over|under|nearly|almost|just|barely|well|only|a little|"
    r"a bit|more than|less than|fewer than|below|above) ){0,2}"
)
_PERIOD = r"(?:days?|weeks?|months?|hours?|minutes?|sprints?|quarters?|years?)"
# Verbs of change, told of anything but the speaker ("churn dropped", "they renewed").
_CHANGED = (
    r"(?:dropped|fell|rose|doubled|tripled|quadrupled|halved|shrank|shrunk|grew|climbed|jumped|"
    r"plummeted|soared|improved|decreased|increased|went down|went up|came down|stabili[sz]ed|"
    r"recovered|renewed|signed|converted|upgraded|expanded|returned|came back|stuck|held|"
    r"disappeared|vanished|stopped|passed|shipped|launched|went live|closed|finished)"
)
# A verb in the past tense, told as something done: the action cue and ``TOLD_DONE`` share it.
# Wishes and opinions are not done ("I wanted", "I needed", "we used to"), nor is "speed" or
# "proceed" (a verb that ends in "eed").
_NOT_DONE = (
    r"(?!(?:needed|wanted|liked|hoped|loved|hated|tried|believed|seemed|wished|preferred|"
    r"enjoyed|feared|worried|wondered|expected|used to|speed|proceed|exceed|succeed|indeed|"
    r"embed|breed|bleed|feed|seed)\b)"
)
_PAST_REGULAR = _NOT_DONE + r"\w{3,}ed\b"
_PAST_IRREGULAR = (
    r"(?:made|set|sat|spent|went|got|gave|kept|held|brought|sent|drew|chose|dug|bought|sold|"
    r"caught|taught|sought|told|won|wrote|ran|led|took|broke|built|cut|put|began|rebuilt|"
    r"rewrote|redid|shut|hit|dropped|picked|found|met|paid|split|drove|fought|left|did|saw)\b"
)
# "may" is a month only where a month's words follow: "last may our client left", "in may 2021",
# not "this may not scale" (the review of this change).
_MONTHS = (
    r"(?:january|february|march|april|june|july|august|september|october|november|december|"
    r"may(?= (?:i|we|they|he|she|it|the|our|my|a|an|last|this|of|20\d\d|when|before|after|"
    r"until)\b|$))"
)
# Workplaces outside software, where a story is set (a review: nurses, teachers, shift leads),
# not followed by a noun they name ("a care home manager"). The ones that are also software
# words ("a feature branch", "a site like twitter", "a bar raiser") count only where the
# speaker says they worked there (``_ANY_PLACE``).
_PLACE_END = (
    r"\b(?!-)(?! (?:managers?|management|roles?|systems?|software|apps?|charts?|raisers?|"
    r"reliability|engineers?|models?|membership|runs?|names?|maps?|owners?|polic(?:y|ies)|"
    r"workers?|leads?|protection|pages?|builders?|admins?|tools?|data|level|staff|assistants?|"
    r"jobs?|visits?|company|companies|chain)\b)"
)
_WORKPLACES = (
    r"(?:ward|clinic|pharmacy|care home|warehouse|depot|hotel|restaurant|cafe|factory|"
    r"classroom|placement|charity|council|hospital|school|distribution cent(?:re|er)|"
    r"shop floor|department)" + _PLACE_END
)
_AMBIGUOUS_PLACES = (
    r"(?:site|branch|bar|station|plant|store|club|practice|society|kitchen|surgery|unit|floor)"
    + _PLACE_END
)
_ANY_PLACE = r"(?:" + _WORKPLACES + r"|" + _AMBIGUOUS_PLACES + r")"
STAR: Cues = {
    "situation": [
        r"\b(?:at|in|on) my (?:last|previous|current|old|first) "
        r"(?:job|company|role|team|position|internship|" + _ANY_PLACE + r")",
        # "at the school where I taught", "in the warehouse I was managing"; a place that is
        # also a software word only where the speaker ran it ("At the store I managed")
        r"\b(?:at|in|on) the (?:[\w-]+ ){0,2}?" + _WORKPLACES + r" (?:where )?(?:i|we) "
        r"(?:(?:was |were |used to )?(?:managed|managing|manage|ran|running|run|worked|working|"
        r"work|led|leading|joined|supervised|supervising|opened|taught|teaching|trained))\b",
        r"\b(?:at|in) the (?:[\w-]+ ){0,2}?" + _AMBIGUOUS_PLACES + r" (?:i|we) (?:managed|ran|"
        r"supervised|opened)\b",
        r"\bon (?:a|an|one|my|our|the) (?:[\w-]+ ){0,2}?(?:ward|unit|floor)" + _PLACE_END,
        r"\bwhen i was\b",
        r"\bwhile (?:i was )?working (?:at|on|for)\b",
        r"\b(?:last|this|that) (?:year|month|quarter|semester|term|season|summer|spring|autumn|"
        r"fall|winter|christmas|" + _MONTHS + r")\b",
        # a shift, a placement or a season where a story opens (a review: a nurse's "On a night
        # shift on a surgical ward", a captain's "last season" were no scene)
        r"\b(?:on|during) (?:a|one|my|our|the) (?:[\w-]+ ){0,2}?(?:shift|placement|rotation|"
        r"season|tour|deployment)\b",
        r"^(?:so |and )?(?:in|one|back in|early in|late in|in (?:early|late|mid)-?) "
        + _MONTHS
        + r"\b",
        r"^(?:so |and )?it was (?:late |early |mid-?)?(?:" + _MONTHS + r"|christmas)\b",
        r"\bthe (?:week|day|month|night) before (?:christmas|" + _MONTHS + r")\b",
        r"\b(?:\d+|a few|a couple(?: of)?|a|one|two|three|four|five|six|seven|eight|nine|ten|"
        r"several) (?:years?|months?|weeks?) ago\b",  # "a couple of years ago" (a review)
        r"\bback in\b",
        r"\bthe situation\b",
        r"\bwe were (?:facing|dealing|struggling|working)\b",
        r"\bour (?:team|company|product|service|system) (?:was|had)\b",
        r"\bthere was a\b",
        r"\bthe (?:problem|issue|context|background) was\b",
        r"\bat the time\b",
        r"\bonce\b",
        r"\bin (?:19|20)\d\d\b",
        r"\b(?:at|in|for|with) (?:a|an|my|our|one) (?:[\w-]+ ){0,2}(?:startup|company|agency|bank|"
        r"firm|hospital|school|store|shop|retailer|consultancy|lab|nonprofit|non-profit|"
        r"university|job|role|internship|client|customer|team|project|org|organi[sz]ation)\b",
        r"\b(?:at|in|for|with) (?:a|an|my|our|one) (?:[\w-]+ ){0,2}?" + _WORKPLACES,
        r"\b(?:we|they|the company|the team|the client|the customer|it) (?:was|were) "
        r"(?:about to|going to|at risk|losing|behind|under pressure|stuck|running out)\b",
        r"\b(?:was|were) at stake\b",
        r"\bif we (?:missed|didn't|did not|failed|lost)\b",
        r"\b(?:a|one|two|three) (?:day|week|month|quarter|year)s? before\b",
        r"\bduring (?:my|our|the|a)\b",
        # When and who, told without a year (a review: "In my second year as an engineer, on
        # a Friday afternoon …", "A new developer on my team was struggling …").
        # Each where a story opens, so not "I was promoted in my second year".
        r"^(?:so |and )?(?:in|during) my (?:first|second|third|fourth|fifth|final) "
        r"(?:year|month|week|job|role)\b",
        r"^(?:so |and |then )?(?:late )?on a (?:monday|tuesday|wednesday|thursday|friday|"
        r"saturday|sunday)\b",
        r"^(?:a|one) (?:new |junior |senior )?(?:developer|engineer|colleague|teammate|designer|"
        r"analyst|hire) (?:on|in|at) (?:my|our) (?:team|company)\b",
        # "so we had this client demo and the deadline got moved up" (a review of spoken
        # answers); where a story opens, so not "we had a retro and I learned".
        r"^(?:so |well |okay |ok |and )?we had (?:a|an|this|that|one) (?:big |huge |major |"
        r"key |new )?(?:client|customer|demo|launch|release|deadline|project|migration|outage|"
        r"incident|audit|deal|contract|product)\b",
        r"\bthe deadline (?:got |was )?(?:moved|pulled|brought) (?:up|forward|in)\b",
    ],
    "task": [
        # "My task, which I volunteered for, was …" (a review: the clause hid the task)
        r"\bmy (?:goal|task|job|role|responsibility|assignment|mission)"
        r"(?: (?:which|that|as) (?:[\w']+ ){0,5}[\w']+)? was\b",
        _I + r" was (?:responsible|asked|tasked|in charge|assigned|supposed)\b",
        _I + r" (?:needed|had|wanted) to\b",
        r"\bwe (?:needed|had) to\b",
        r"^(?:so |and )?(?:the|our) (?:company|team|business|department|organi[sz]ation) "
        r"(?:needed|had) to\b",
        r"\bthe (?:goal|task|objective|aim|challenge|deadline) was\b",
        # "That was the task: …", "our goal was …" (a review: a task named so was missed)
        r"\b(?:that|this) was (?:the|my|our) (?:goal|task|job|challenge|mission)\b",
        r"\bour (?:goal|task|job|mission|brief) was\b",
        r"\b(?:my (?:manager|boss|lead)|the client|the customer) asked me\b",
        r"\bit was (?:my|up to me|on me)\b",
        r"\bi took (?:on|charge|ownership)\b",
        r"\bi took (?:it|this|that) on\b",
        r"\b(?:nobody|no one) (?:owned|was responsible|took)\b",
        r"\bi was the one\b",
        r"\b(?:i|we) (?:was|were|had been) (?:given|handed)\b",
        r"\bthe (?:plan|brief|ask|requirement|target) was\b",
        r"\b(?:i|we) had (?:only |just )?" + _NUM + r" " + _PERIOD + r"\b",
    ],
    "action": [
        _I + r" (?:decided|started|built|created|designed|wrote|led|organi[sz]ed|set up|talked|"
        r"spoke|met|proposed|suggested|implemented|introduced|reached out|scheduled|"
        r"analy[sz]ed|investigated|reviewed|fixed|changed|moved|planned|prioriti[sz]ed|"
        r"negotiated|presented|asked|called|gathered|ran|used|automated|rewrote|refactored|"
        r"migrated|coached|mentored|worked|took|broke|split|tested|measured|documented|"
        r"trained|hired|delegated|escalated|listened|explained|convinced|focused|volunteered|"
        r"looked|checked|added|found|pulled|cut|reworked|contacted|paired|drafted|sketched|"
        r"interviewed|prototyped|replaced|removed|simplified|profiled|monitored|agreed)\b",
        r"\b(?:so|then|first|next|after that|afterwards),? i\b",
        r"\bmy approach was\b",
        r"\bthe first thing i did\b",
        r"\bi made sure\b",
        # Any first-person verb in the past tense ("I rebuilt", "I phoned"), but not wishes.
        _I + " " + _PAST_REGULAR,
        _I + " " + _PAST_IRREGULAR,
    ],
    "result": [
        r"\bas a result\b",
        r"\bin the end\b",
        r"\bthe (?:result|outcome|impact) was\b",
        r"\b(?:which|that|this) (?:led|resulted) (?:to|in)\b",
        r"\bended up\b",
        r"\b(?:we|it|they|this|that|which) (?:reduced|increased|improved|saved|shipped|launched|"
        r"delivered|finished|completed|grew|doubled|tripled|halved|won|beat|exceeded|"
        r"dropped|stopped|stayed|hasn't|has not|never)\b",
        r"\bi (?:finished|completed|delivered|won|exceeded|beat|got promoted|was promoted)\b",
        r"\bwent (?:up|down) from\b",
        r"\b(?:reduc|increas|improv|cut|sav|grew|grow|decreas|drop|lift|boost)\w* .{0,40}\bby\b",
        r"\d+(?:\.\d+)? ?(?:%|percent)",
        r"\bi learned\b",
        r"\bfrom then on\b",
        r"\bsince then\b",
        r"\bon time\b",
        r"(?<!how )\bit worked\b",  # "showed them how it worked" explains, it is no result
        r"\bthe feedback was\b",
        r"\bwas promoted\b",
        # A result told as a change: "from 900 ms to 200", "churn dropped", "they renewed".
        r"\bfrom " + _ABOUT + _NUM + r"\b.{0,40}?\bto " + _ABOUT + _NUM,
        # not told of "I", nor of the word after it: "I basically held it together" and "I
        # also signed" are acts (a review, session 54)
        r"\b(?<!\bi )(?!i\b)[\w%$'-]+ " + _CHANGED + r"\b",
        # "the wait went from six days to same-day"; not "and we went from there"
        r"\b(?!i\b)[\w%$'-]+ went from\b(?! there\b| here\b).{0,40}?\bto\b",
        r"\b(?:was|were|got|has been|have been|had been) (?:cut|reduced|halved|doubled|"
        r"eliminated|resolved|fixed|approved|adopted|renewed|extended|signed|shipped|launched|"
        r"released|delivered|rolled out|promoted|accepted|merged|closed|adopted|kept|saved)\b",
        r"\bwithin "
        + _ABOUT
        + r"(?:\d+|"
        + _NUM
        + r"|a|the|that) (?:of )?"
        + _PERIOD
        + r"\b(?! of\b)",
        # "two months later the template …", not "two weeks later I followed up": what stood
        # some time after the actions, told of something other than the speaker.
        r"\b" + _NUM + r" (?:of )?" + _PERIOD + r" later,? (?!i\b|we\b|i'|we')"
        r"(?:he|she|they|it|the|our|their|his|her|everyone|everybody)\b",
        r"\b" + _PERIOD + r" (?:early|ahead of|before the)\b",
        r"\bahead of schedule\b",
        r"\bunder budget\b",
        r"\b(?:still|now) (?:in use|in production|in place|running|the default|the standard)\b",
        r"\b(?:we|it|they|he|she|the team|everyone|everybody|\w+ and i) now\b",
        r"\bsince (?:launch|the launch|release|the release|we|it|that)\b",
        r"\bzero (?!to\b)\w+",  # "zero double charges", "zero downtime", after the actions
        r"\b(?:zero|no) (?:incidents?|outages?|complaints?|escalations?|pages|regressions?)\b",
        r"\b(?:only|just) (?:a handful|a few|a couple|one|two|three) (?:of )?(?:complaints?|"
        r"tickets?|incidents?|escalations?|issues?)\b",
        # "it went out in the next release", "the fix went live that night"
        r"(?<!\bi )(?<!\bwe )\b(?:went|was) (?:out|live)\b(?! of\b| to\b| and\b)",
        r"\b(?:got|received|earned|won) (?:the |a |an )?(?:offer|promotion|award|bonus|contract|"
        r"deal|account|renewal)\b",
        # What the actions made possible, or the state some time after them: "which let us
        # remove the polyfills", "without slipping the launch", "after a couple of months he
        # was picking up tickets on his own".
        r"\b(?:which|that|this) (?:let|allowed|enabled|meant) (?:us|them|me|him|her|the team)\b",
        r"\bwithout (?:slipping|missing|delaying|losing|breaking)\b",
        r"\b(?:after|within|by the end of) "
        + _ABOUT
        + r"(?:"
        + _NUM
        + r" (?:of )?|another )?"
        + _PERIOD
        + r",? (?:he|she|they|we|it|the team|everyone)\b",
    ],
}
REASONING: Cues = {
    "clarify": [
        r"\bclarif",
        r"\brequirements?\b",
        r"\bassum",
        r"\bit depends\b",
        r"\bconstraints?\b",
        # Scale and users asked about or assumed, not any "user" or "scale" (a review: "when
        # a user sends a message", "and scale up" were credited as clarifying).
        r"\bat (?:what|this|that|our|their|the|which|that kind of|this kind of) scale\b",
        r"\b(?:the )?scale (?:is|we're|we are|matters)\b",
        r"\bwhat (?:kind of |sort of )?scale\b",
        r"\b(?:what's|what is) (?:the )?(?:expected |likely |target )?(?:scale|load|traffic|"
        r"number of (?:users|requests))\b",
        r"\b(?:expected|expect|expecting) (?:scale|load|traffic|number of users)\b",
        r"\bhow (?:many|much|big|often|fast|large)\b[\w' ]{0,30}? (?:do|does|will|would|should|"
        r"are|is|can) (?:we|you|they|it|the|users?|customers?)\b",
        r"\b(?:ask|asking|know|knowing|check|find out|understand) how (?:many|much|big|often|fast|"
        r"large)\b",
        r"\bwho (?:are )?(?:the |our |their )?(?:users?|customers?)\b",
        r"\b(?:which |what (?:kind of |type of )?)(?:users|customers) (?:are|do|will|we|it)\b",
        r"\b(?:target|main|core|key|primary|typical) (?:users?|customers?)\b",
        r"\b(?:(?<![\d,.])\d[\d,.]* ?(?:k|m|million|billion|thousand)|\d{1,3}(?:,\d{3})+|"
        r"\d{4,}|hundreds|"
        r"thousands|millions|billions|hundred|thousand|million|billion) (?:of )?(?:daily |"
        r"monthly |active |concurrent |new )*(?:users|requests|messages|writes|reads|events|"
        r"customers)\b",
        r"\b(?:for|of) (?:these|those) (?:users|customers)\b",
        r"\bdepends on\b",
        r"\bthe question is\b",
        r"\bif (?:you|we) (?:need|have|expect|care)\b",
        r"\b(?:read|write)-heavy\b",
    ],
    "approach": [
        _I + r" would\b",
        r"\bmy approach\b",
        r"\b(?:start|begin) (?:by|with)\b",
        r"\bfirst,? ",
        r"\bthe way i\b",
        r"\bstep\b",
        r"\bi'd\b",
        # The plan said as it is made: "I'll start with the API", "I'm gonna split it" (a
        # review: a spoken outline in the future tense was told it had no approach).
        # A plan verb must follow: "we'll see", "I'll admit", "let's say" and "I'm going to
        # need a minute" plan nothing (a review).
        r"\b(?:i'll|we'll|let's|(?:i'm|we're|i am|we are) (?:gonna|going to)) (?:\w+ )?"
        r"(?:start|begin|use|add|put|split|shard|store|cache|build|design|break|partition|"
        r"queue|index|walk|look at|check|measure|keep|move|run|write|pick|choose|replace|"
        r"profile|test|sketch|draw|model|separate|route|batch|stream|hash|compute)\b",
        r"\bworks by\b",
        r"\bthe (?:idea|trick|key|core idea) is\b",
        r"\bunder the hood\b",
        r"\b(?:you|we) (?:take|compute|hash|store|keep|use|split|put|look up|walk|check)\b",
        r"\b(?:then|next|after that),? (?:you|we|i)\b",
    ],
    "reasoning": [
        r"\bbecause\b",
        r"\btrade-?offs?\b",
        r"\bsince\b",
        r"\bthe reason\b",
        r"\bpros and cons\b",
        r"\bon the other hand\b",
        r"\binstead of\b",
        r"\bcompared (?:to|with)\b",
        r"\bdownside\b",
        r"\bcost\b",
        r"\blatency\b",
        r"\bso that\b",
        r"\bwhich means\b",
        # A consequence drawn (a review: a chain of "if …, then" and "but that means" steps
        # was told it had "no clear reasoning").
        r"(?<!\bwhat )\b(?:that|this|it) means\b(?! a lot)",  # not "what it means to lead"
        r"\botherwise\b(?!(?: \w+){0,3} (?:was|were|went|had)\b)",  # "otherwise it went well"
        # not a check or a time ("I asked if they had time, and then we paired")
        r"(?<!\bsee )(?<!\bask )(?<!\basked )(?<!\bcheck )(?<!\bchecked )(?<!\bknow )"
        r"(?<!\bwonder )(?<!\bsure )\bif\b(?:(?!\b(?:and|but)\b).){3,60}?\bthen\b(?! again)",
        r"\bso (?:i'd|we'd|you'd|i would|we would|you would)\b",
        r"\b(?:that's|that is|this is) why\b",
        r"\bthe (?:catch|price|cost|downside|risk) is\b",
        r"\bat the (?:cost|expense) of\b",
        r"\bin exchange\b",
        r"\bo\((?:1|n|log)",
        r"\b(?:slower|faster|cheaper|more expensive|simpler|safer) (?:than|because|but)\b",
    ],
    "example": [
        r"\bfor (?:example|instance)\b",
        r"\bin my (?:last|previous|current)\b",
        # where the example happened: "at my last job", "at my school"; not a rant's "the
        # management at my school was a joke" nor "what makes me so good at my job" (a review)
        r"(?<!good )(?<!great )(?<!best )(?<!better )\bat my (?:[\w-]+ ){0,2}?(?:job|company|"
        r"role|team|internship|startup|firm|agency|club|society|university|college|"
        + _ANY_PLACE
        + r")\b(?!.{0,40}\b(?:was|were|is|are) (?:a joke|a mess|useless|toxic|terrible|awful))",
        r"\bwhen i\b",
        r"\bsuch as\b",
        r"\blike when\b",
        r"\bsay (?:you|we) have\b",
        r"\bimagine\b",
        r"\bin practice\b",
        r"\be\.?g\b",
        r"\blast (?:year|quarter|month|time)\b",
        # "a real example: Chrome runs each tab …" (a review: only "for example" was one)
        r"\b(?:an?|one) (?:real |good |concrete |quick |simple )?example\b",
    ],
    "summary": [  # the strongest first: the evidence quotes the last of the strongest
        r"\bin summary\b",
        r"\bto summari[sz]e\b",
        r"\bto sum up\b",
        r"\bin conclusion\b",
        r"\bin short\b",
        r"\bthe short version\b",
        r"\bbottom line\b",
        r"\bso overall\b",
        r"\boverall\b",
        r"\bso in the end\b",
        r"\bthat way\b",
        r"\brule of thumb\b",
        r"\bso (?:i'd|i would|my recommendation|the answer)\b",
    ],
}
PREP: Cues = {
    "point": [
        r"\bi (?:am|'m|want|believe|see myself|would say)\b",
        r"\bmy (?:main|biggest|greatest|key|real|strongest)\b",  # "my greatest strength" (a review)
        # "My weakness is delegating." (a review: the point, named plainly, was missed)
        r"^(?:so |well )?my (?:\w+ )?(?:weakness|strength|motivation|reason|goal)e?s? "
        r"(?:is|are|would be)\b",
        r"\bi'm\b",
    ],
    "reason": [
        r"\bbecause\b",
        r"\bthe reason\b",
        r"\bsince\b",
        r"\b(?:that's|that is|this is) why\b",
        r"\bwhich is why\b",
        # "Two reasons: …", "the second reason is …" (a review: neither was a reason)
        r"\b(?:two|three|a few|several|my|the (?:first|second|third|main|other|last)) reasons?\b",
        # "The honest reason is …" (a review)
        r"\bthe (?:honest|real|main|biggest) reason\b",
    ],
    "example": REASONING["example"] + [r"\bonce\b", r"\blast year\b"],
    "close": [  # the strongest first, as for a summary
        r"\b(?:that's|that is|this is) why\b",
        # "That's also a big part of why this role appeals to me" (a review)
        r"\b(?:that's|that is|this is)(?: also)? (?:a |the |one )?(?:big |large |main |key )?"
        r"(?:part|reason) (?:of )?why\b",
        r"\bwhich is why\b",
        r"\bin short\b",
        r"\boverall\b",
        r"\bso\b.{0,40}\b(?:that's|this is|i'm|i am)\b",
        r"\blooking forward\b",
        # The claim tied back to this role (a review: "that's how I'd approach the ambiguous
        # problems on this team too", "what drew me to you is …" were no ending).
        r"\bthat's (?:how|what) i(?:'d| would| will| want to)\b(?! have\b)",
        r"\bwhat (?:drew|draws|attracts|attracted|excites) me (?:to|about) (?:you|this|your|the)\b",
        r"\b(?:this|your) (?:team|role|company|job|position) too$",
    ],
}
# A sentence that tells something the speaker did: "I" or "we" and a verb in the past ("so we
# built a ranked list", "I rewrote the guide"). It is never quoted as the sentence that reads
# weakest while another can be: the advice there is to back a claim with something that
# happened (a review: the one thing that happened was quoted).
TOLD_DONE = re.compile(
    r"\b(?:i|we)(?: (?:then|also|just|finally|quickly|eventually|first))? (?:"
    + _PAST_REGULAR
    + "|"
    + _PAST_IRREGULAR
    + r"|had to\b)"
)
# The parts that close an outline: their evidence is chosen first, in the answer's latter
# half, by the strongest cue (content.find_structure).
CLOSING_PARTS = frozenset({"summary", "close"})
STRUCTURES: dict[InterviewType, tuple[str, Cues]] = {
    "behavioral": ("star", STAR),
    "technical": ("reasoning", REASONING),
    "system_design": ("reasoning", REASONING),
    "product": ("reasoning", REASONING),
    "general": ("prep", PREP),
}

# A technical question that asks what something is or how it works ("What is the difference
# between a process and a thread?", "Explain what an index does", "Walk me through how DNS
# works"), in any of its sentences: its answer is an explanation, with no goal and limits to
# state and no approach to outline (reviews: a correct definition that scored 97 was told to
# "state the goal and the limits"). Not one that asks what the candidate would do, anywhere
# in it ("What is the first thing you would check", "Explain how you'd debug it").
_NOT_YOU = r"(?!you\b|your\b|we\b|our\b|i\b)"
EXPLAINS = re.compile(
    r"(?:^|[.?!:,]\s+)(?:(?:so|and|ok|okay|now),? )?(?:can you |could you |please )?(?:explain\b|"
    rf"what(?:'s| is| are| does| do) {_NOT_YOU}|what problems? (?:does|do) |"
    rf"(?:how|when) (?:does|do|is|are) {_NOT_YOU}|"
    rf"why (?:does|do|is|are|can|would|might) {_NOT_YOU}|"
    r"(?:walk me through|tell me|describe) how\b|"
    r"what happens when\b|when (?:would|should) you use\b)",
    re.IGNORECASE,
)
ASKS_WHAT_YOU_DO = re.compile(
    r"\b(?:you|i|we)(?: \w+){0,2} (?:would|should|will|could|might)\b|"
    r"\b(?:would|will|should|could|might) (?:you|i|we)\b(?<!when would you)(?<!when should you)|"
    r"\b(?:you'd|i'd|we'd|you've|your (?:approach|experience|team|plan))\b|"
    r"\bhow (?:do|can|should|would|could|did) (?:i|we|you)\b|"
    r"\b(?:(?:the|what|which) steps (?:you|would|to)|best way|first thing)\b|"
    r"(?:^|[.?!]\s+)(?:design|implement|write|build|sketch|code)\b",
    re.IGNORECASE,
)
NOT_ASKED_OF_EXPLANATIONS = ("clarify", "approach")


def asks_to_explain(qtype: InterviewType, question: str) -> bool:
    """Whether a technical question asks what something is or how it works (``EXPLAINS``),
    and nowhere what the candidate would do (``ASKS_WHAT_YOU_DO``)."""
    asked = question.strip().replace("\u2019", "'").replace("\u2018", "'")
    return (
        qtype == "technical" and bool(EXPLAINS.search(asked)) and not ASKS_WHAT_YOU_DO.search(asked)
    )


# A question of any type that asks for a story from the candidate's own past: "Tell me about
# a launch that did not go as planned. What did you do?", "the hardest bug you have fixed", "a
# product decision you made". Its answer is a story, heard as one (a review: a bug story was
# told to outline "the goal and limits, approach, example or summary", and a product decision
# to "add the user and the metric you would move"). Not "a bug you have seen or can imagine".
_DONE_BY_YOU = (
    r"(?:made|led|shipped|built|fixed|debugged|solved|launched|ran|handled|faced|took|found|"
    r"designed|wrote|delivered|managed|tracked down|dealt with|disagreed|cut|killed|pushed back|"
    r"worked on|owned|moved|set|drove|were responsible for)"
)
# Not a time one would do something ("a time you would choose eventual consistency", "imagine
# a time when …"), nor the work of this interview ("the schema you designed for this", "the
# solution you wrote": the review of this change).
ASKS_FOR_STORY = re.compile(
    r"\b(?:(?<!imagine )(?<!is there )(?<!name )a time (?:when )?(?:you|your)\b"
    r"(?!'d| would| might| should| could| will)|an occasion when|the last time you|"
    r"what did you do\b(?! (?:at|in) your)|(?:give me|can you give me) an example of (?:a time|"
    r"when)\b|have you ever (?:had to|been|\w+ed)\b|tell me about when you\b|"
    r"you(?:'re| are)(?: most)? proud of|(?:your|the) (?:biggest|greatest|proudest|worst|hardest) "
    r"(?:failure|mistake|accomplishment|achievement|success|setback)|"
    rf"(?:tell me|walk me through|describe|talk me through) how you (?:\w+ed|{_DONE_BY_YOU})\b|"
    r"(?:(?:tell me|talk me through|walk me through) (?:about )?|describe |share |"
    r"(?:give me|can you give me) an example of |what(?:'s| is| was) )"
    r"(?:a|an|one|something|your|the (?:\w+est|most \w+|biggest|worst|best|last|toughest))\b"
    rf"[^.?!]{{0,60}}?\b(?:you|your team)(?:'ve| have)?(?: ever)? {_DONE_BY_YOU}\b)"
    r"(?![^.?!]*\b(?:here|above|so far|for this|in this design)\b)",
    re.IGNORECASE,
)


# What a follow-up asks for, so that its advice asks only for that (a review: "Why did you
# leave your last job?" answered well was told "No numbers or named tools", and "How did you
# measure it?" answered with "we tracked …" to say what "I" did): a figure, and the speaker's
# own part.
ASKS_FOR_A_FIGURE = re.compile(
    r"\b(?:how (?:many|much|long|big|fast|often|large|quickly)|measur\w*|metrics?|numbers?|"
    r"percent\w*|scale|load|cost|budget|size|results?|impact|outcome|data|evidence|prove)\b",
    re.IGNORECASE,
)
ASKS_YOUR_PART = re.compile(
    r"\byour (?:own )?(?:role|part|contribution|responsibilit\w+)\b|\byou personally\b|"
    r"\bwhat did you (?:personally |yourself )?(?:do|change|decide|own|build|say)\b|"
    r"\bwhat (?:exactly )?(?:was|were) you\b",
    re.IGNORECASE,
)


def asks_for_story(question: str) -> bool:
    """Whether ``question`` asks for a story from the candidate's past (``ASKS_FOR_STORY``)."""
    return bool(ASKS_FOR_STORY.search(question.replace("\u2019", "'")))


def outline_for(qtype: InterviewType, question: str) -> tuple[str, Cues]:
    """The outline an answer to ``question`` is heard against: its type's (``STRUCTURES``), a
    story's (STAR) when it asks for one, without the parts an explanation does not owe when a
    technical question asks for one."""
    if asks_for_story(question):
        return STRUCTURES["behavioral"]
    kind, cues = STRUCTURES[qtype]
    if asks_to_explain(qtype, question):
        cues = {p: c for p, c in cues.items() if p not in NOT_ASKED_OF_EXPLANATIONS}
    return kind, cues


NUMBER_WORDS = frozenset(
    """zero two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty
    fifty sixty seventy eighty ninety hundred hundreds thousand thousands million millions
    billion twice half third quarter dozen dozens""".split()
)
# Number words that count something, not a part of it or a rough size: what puts a figure on
# a result ("from two hours to ten", not "half the team", "my third year").
CARDINALS = NUMBER_WORDS - {"half", "third", "quarter", "dozens", "hundreds", "thousands",
                            "millions"}  # fmt: skip
# Plural nouns a number in words does not make concrete: "two things", "three reasons".
VAGUE_PLURALS = frozenset(
    """things ways reasons points areas aspects parts steps options ideas questions examples
    lessons factors kinds types sides levels stages phases words sentences times minds cases
    issues problems topics goals traits qualities skills strengths weaknesses approaches methods
    challenges concerns mistakes risks tradeoffs trade-offs principles choices priorities
    considerations requirements constraints assumptions scenarios categories dimensions pillars
    buckets angles perspectives concepts benefits advantages disadvantages drawbacks pros cons
    insights takeaways learnings habits values attempts conversations discussions meetings
    components layers""".split()
)
# Units counted in whole ones: "point two people" is no decimal ("at one point two people left").
COUNTED_UNITS = frozenset("users customers people engineers teams".split())
UNIT_WORDS = COUNTED_UNITS | frozenset(
    "percent % times x weeks days months hours minutes seconds years requests ms milliseconds "
    "dollars euros pounds bucks k million gb tb mb kb rps qps".split()
)
# Digits, with a unit joined to them ("40%", "250ms") or hyphened ("a 28-bed ward", "a
# 120-room hotel": a review), or an ordinal.
# Not a compound's name: "3-way handshake", "2-factor", "1-to-many" (the review of this change);
# a figure's hyphened word has two letters or more ("28-bed", not "3-D").
HYPHEN_NAMES = (
    r"way|sided|fold|phase|step|tier|part|level|stage|factor|pronged|dimensional|to|off|on|x|"
    r"engineer|star"
)
UNITS = re.compile(
    r"^\$?\d[\d,.]*(?:%|k|m|x|ms|s|h|gb|tb|mb)?(?:-(?!(?:"
    + HYPHEN_NAMES
    + r")(?:-|$))[a-z]{2,}){0,2}$"
    r"|^\d+(?:st|nd|rd|th)$"
)
# A product answer that names the metric it would move: the advice asks for its target.
NAMES_A_METRIC = re.compile(
    r"\b(?:(?:north star|guardrail|success|primary|key|main|core) metrics?|(?<!which )(?<!what )"
    r"(?<!no )metrics? (?:is|are|would be)|north star|kpis?|retention rate|conversion|churn|"
    r"activation|engagement rate|"
    # outside the web (a review: a hospital's "average wait time", a shop's "queue time")
    r"(?<!\bat )(?:wait|waiting|queue|response|resolution|turnaround|lead|cycle|handling|"
    r"check-?in|discharge|delivery|pick|dwell) times?|"
    r"(?<!\bi )(?:average|median|mean) (?:[\w-]+ )?(?:time|wait|length|cost|spend|value)|"
    r"(?:satisfaction|no-show|readmission|repeat|occupancy|"
    r"fill|footfall|complaint|error|defect|return|cancellation) (?:rate|scores?|counts?)|"
    r"(?:share|percentage|proportion|(?:the|our|their) number) of (?:[\w-]+ )?(?:patients|"
    r"customers|users|"
    r"orders|guests|students|visits|discharges|calls|tickets|bookings)|"
    r"(?:success|error|click|completion|adoption|return) rate|per (?:week|day|month|user|"
    r"thousand)|(?:daily|weekly|monthly) active|dau|wau|mau|nps|guardrail)\b"
)
# Words said to the listener, capitalised mid-sentence by a recogniser or a typist ("so,
# OK, the first thing"): never a name.
SAID_TO_LISTENER = frozenset(
    "ok okay yeah yes yep no nope hey oh well right sure hi hello thanks please sorry wow".split()
)
TECH = frozenset(
    """python java javascript typescript go golang rust c++ c# sql nosql postgres postgresql mysql
    sqlite mongodb redis kafka rabbitmq spark hadoop airflow dbt snowflake bigquery redshift
    tableau looker excel aws azure gcp kubernetes k8s docker terraform ansible jenkins github
    gitlab jira confluence figma react angular vue node django flask fastapi spring graphql rest
    grpc api apis s3 lambda ec2 linux prometheus grafana datadog splunk elasticsearch swift
    salesforce hubspot sap okr okrs kpi kpis sla slas a/b nps""".split()
)
AMBIGUOUS_TECH = frozenset({"go", "rest", "spring", "excel", "spark", "node", "swift", "sap"})
I_WORDS = frozenset({"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"})
WE_WORDS = frozenset({"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"})
# "I" as the one who acts: the subject forms, unless the verb after them (past a few
# softeners) only gives an opinion ("I think", "I guess", "I'd say"): a team's story told with
# "I think" all through it is still a team's story.
I_SUBJECTS = frozenset({"i", "i've", "i'd", "i'll", "i'm"})
OPINION_VERBS = frozenset(
    """think guess believe mean feel suppose hope know remember say imagine assume reckon like
    love want wish agree""".split()
)
I_SOFTENERS = frozenset(
    """really just also then actually personally honestly still probably always definitely kind
    sort of do don't didn't did never not would""".split()
)
