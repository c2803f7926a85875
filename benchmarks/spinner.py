#!/usr/bin/env python3
"""Spinner simulator: a test-data generator for spin-repair benchmarks.

This script is NOT part of the spin-repair tool. It imitates the kind of
"article spinner" that content farms use: it walks through a clean article and
swaps words and short phrases for context-free "synonyms" ("said" -> "stated",
"including" -> "together with", "military" -> "navy", "last year" -> "final 12
months", ...). Because it knows exactly what it changed, it also writes a gold
edit file in the format read by /work/shared/eval/score.py, so that a repair of
the spun text can be scored against the original.

The substitution table below (SPIN_TABLE) was written for this simulator and is
kept separate from the tool's own dictionaries on purpose: the simulator never
reads anything from dictionaries/ (or any other part of the tool). If the two
shared a table, the benchmark would only measure whether the tool can invert
its own list, and the evaluation would be circular. Overlap between the two is
expected (both describe the same real-world spinners), but neither is derived
from the other.

Behaviour
  * Longest match first: at each word, the longest table phrase that matches
    (case-insensitively, words separated by single spaces) is considered.
  * Each matched entry is applied with probability RATE * WEIGHT, where RATE is
    --rate (default 0.85) and WEIGHT comes from the table: 1.0 for the
    signature swaps of this spinner family ("said" is toned down to 0.5),
    0.33 for the long tail of general synonyms, and a few explicit overrides
    (e.g. "in" -> "within" at 0.04). With the defaults a 600-word article gets
    roughly 25-65 edits. Random choices come from a generator seeded by --seed
    and the input file name, so the output is deterministic.
  * A swap that would directly follow another swap (one space between) and
    share a word with it is skipped (see _clashes), so every gold edit can be
    scored on its own.
  * Case is preserved: a capitalised source word (sentence start, headline or
    name such as "White House") gets a capitalised replacement; a phrase in
    Title Case gets a Title Case replacement. ALL-CAPS words (acronyms,
    datelines) are left alone.
  * Text inside double quotations ("..." or curly quotes) is never changed.
  * Digits are never changed, and words glued to digits ("5pm", "10-year") are
    not touched. Only plain words and possessives ("government's") match.
  * "a"/"an" in front of a replaced word is fixed up when needed
    ("an extensive" -> "an in depth", "a long" -> "an extended").

Gold file: {"text": <spun file name>, "edits": [{"start", "end", "spun",
"expected", "certainty"}]} with character offsets into the spun text. Each edit
covers whole words; edits separated by a single space are merged into one
("safety ensures" for "security guarantees"). "expected" holds the original
wording and "certainty" is "verified" (the original is known exactly). With
score.py, the clean original scores F1 1.0 as a repair of the spun text and the
unrepaired spun text scores recall 0.

Usage
  python benchmarks/spinner.py INPUT.txt -o SPUN.txt --gold GOLD.json [--rate R] [--seed S] [--table FILE]
  python benchmarks/spinner.py --all [--rate R] [--seed S]
      spins every tests/cases/articles/clean/NN.txt into
      tests/cases/articles/spun/NN.txt and NN.gold.json (with the built-in
      table, except the articles listed in ARTICLE_TABLES, which use theirs)

  --table FILE uses the substitution table in FILE instead of SPIN_TABLE:
  tab-separated "source<TAB>replacement[<TAB>weight]" lines (weight 1.0 when
  not given; '#' starts a comment) or, if no line has a tab, the SPIN_TABLE
  format ("source = replacement [@ weight]", '%weight W'). Without --table the
  output is exactly as before.

  If ../shared/eval/score.py exists next to the repository (or --check PATH
  is given), every output is verified with it: the clean article must score
  F1 1.0 as a repair of the spun text and the spun text must score recall 0.
  The exit status is 1 if any check fails. --no-check skips this.

Standard library only.
"""
import argparse
import json
import os
import random
import re
import sys
import unicodedata

# ---------------------------------------------------------------------------
# Substitution table: "source = replacement" or "source = replacement @ weight".
# Sources are lower case; matching is case-insensitive. Lines starting with
# '#' are comments. Written for this simulator; see the module docstring.
# ---------------------------------------------------------------------------
SPIN_TABLE = r"""
# Entries are grouped by default weight; '%weight W' sets the weight for the
# lines that follow (an '@ W' on a line overrides it).
%weight 1.0
# --- signature swaps of this spinner family
said = stated @ 0.5
noted = famous
stressed = careworn
comment = remark
confirm = verify
discuss = debate
negotiate = barter
attack = assault
fall = autumn @ 0.6
offer = supply
demands = calls for
including = together with
causing = inflicting
test = take a look at
become = grow to be
to blame = accountable
close the door = shut the door
people = individuals
children = youngsters
parents = dad and mom
officials = officers
government = authorities
military = navy
department = division
house = home
court = courtroom
foreign = overseas
associated = related
documents = paperwork
series = collection
pattern = sample
activity = exercise
exercises = workouts
military exercises = navy workouts
architecture = structure
priority = precedence
news conference = information convention
interests = pursuits
concerns = considerations
list = checklist
principle = precept
security guarantees = safety ensures
security = safety
health = well being
climate = local weather
economy = financial system
software = software program
percent = p.c
control = management
need for = necessity for
also = additionally
own = personal
extensive = in depth
long = lengthy
a long = an extended
old = outdated
right = proper
well = nicely
as well as = in addition to
willing = keen
other = different
essentially = basically
according to = in keeping with
back = again
one of = one in all
more than = greater than
even more = much more
before = earlier than
last = final
year = 12 months
ago = in the past
at the same time = on the identical time
in front of = in entrance of
may = could
some = a few @ 0.4
a few = just a few
within = inside
in = within @ 0.04
therefore = due to this fact
without = with out
as part of = as a part of
at the expense of = on the expense of
and they = and so they @ 0.5
%weight 0.33
# --- reporting verbs and speech
says = states
saying = stating
told = instructed @ 0.2
tell = inform
asked = requested @ 0.2
ask = request
added = introduced @ 0.15
adding = including
believe = consider
think = assume @ 0.15
announced = introduced
announce = declare
explain = clarify
explained = defined
emphasized = emphasised
claim = declare
comments = feedback
suggested = steered
suggest = recommend
wondered = puzzled
speaking = talking
speak = communicate
talk = discuss
talking = speaking
discussed = mentioned
listen = hear
saw = noticed
notice = discover
read = learn
reading = studying
call = name @ 0.15
called = known as @ 0.2
# --- common verbs
help = assist
helping = serving to
using = utilizing
uses = makes use of
show = present
shows = reveals
showed = confirmed
shown = proven
begin = start
began = started
beginning = starting
continue = proceed
continuing = persevering with
expected = anticipated
expect = count on
released = launched
release = launch
published = revealed
received = acquired
receive = obtain
got = acquired
need = want
needed = wanted
needs = wants
found = discovered
find = discover
find out = discover out
keep = preserve
kept = saved
hold = maintain
allow = permit
allowed = permitted
allows = permits
protect = defend
protecting = defending
cut = minimize
cutting = slicing
build = construct
built = constructed
building = constructing
bring = convey
brought = introduced
buy = purchase
buying = shopping for
bought = purchased
sell = promote
sold = offered
selling = promoting
try = attempt
trying = making an attempt
seeking = in search of
looking for = in search of
looked = seemed
look at = have a look at
looking forward to = trying ahead to
look forward to = stay up for
appeared to = gave the impression to
choose = select
chose = selected
decide = resolve
decided = determined
changes = adjustments
changed = modified
changing = altering
remain = stay
remains = stays
lost = misplaced
losing = dropping
hurt = harm
damage = harm
damaged = broken
attacks = assaults
fight = battle
fighting = combating
worried = frightened
worry = fear
happened = occurred
happen = occur
understand = perceive
remember = bear in mind
learn = be taught
learned = discovered
learning = studying
study = examine
studies = research
deliver = ship
provide = present
provided = offered
provides = offers
offered = supplied
offering = providing
support = assist
agreement = settlement
negotiating = bartering
pull = tug
close = shut @ 0.25
closely = intently
closer = nearer
reach = attain
traveling = touring
leave = depart
join = be a part of
include = embrace
includes = contains
involved = concerned
increase = improve
increased = elevated
increases = will increase
increasing = rising
reduce = cut back
reduced = decreased
grow = develop
improve = enhance
prevent = forestall
avoid = keep away from
affect = have an effect on
cause = trigger
caused = triggered
remove = take away
removed = eliminated
replace = substitute
replacing = changing
install = set up
check = examine
tested = examined
tests = assessments
ensure = guarantee
guarantee = assure
guarantees = ensures
depend on = rely upon
depends = relies upon
focused = targeted
focusing on = specializing in
hire = rent
hired = employed
worked = labored
feel = really feel
waiting = ready
live = stay
living = residing
move = transfer
moving = shifting
stop = cease
finished = completed
complete = full
completed = accomplished
send = ship
sent = despatched
lift = elevate
broken = damaged
repair = restore
fix = repair
jump = soar
struggle = wrestle
suffer = endure
faced = confronted
facing = going through
visit = go to
enjoy = get pleasure from
turn = flip
contain = comprise
contains = accommodates
consider = think about
considered = thought-about
approved = authorised
celebrate = have fun
recover = get better
fear = concern
surprised = stunned
compare = evaluate
compared = in contrast
collect = accumulate
gather = collect
manage = handle
handle = deal with
operate = function
treat = deal with
establish = set up
earning = incomes
spread = unfold
became = grew to become
becoming = turning into
dealt with = handled
put off = postpone
point out = level out
set up = arrange
figure out = work out
end up = find yourself
get rid of = eliminate
give up = quit
pick up = choose up
take part = participate
taken part = participated
take effect = take impact
took effect = took impact
took place = came about
make sure = be certain
pay attention = concentrate
lowering = decreasing
raise = increase
# --- nouns: people and institutions
person = individual
child = little one
kids = children
mother = mom
family = household
families = households
men = males
women = girls
woman = girl
friend = good friend
friends = associates
army = military
soldiers = troopers
workers = employees
worker = employee
employees = workers
staff = employees
leader = chief
executive = govt
chief executive = chief govt
company = firm
companies = firms
business = enterprise
businesses = companies
owners = homeowners
owner = proprietor
customers = clients
customer = buyer
shoppers = customers
investors = traders
experts = specialists
expert = skilled
doctor = physician
doctors = docs
patients = sufferers
teacher = instructor
teachers = lecturers
students = college students
student = scholar
lawyers = attorneys
judge = choose
agents = brokers
visitors = guests
travelers = vacationers
fans = followers
player = participant
players = gamers
team = crew
teams = groups
groups = teams
community = neighborhood
home = residence
homes = houses
university = college
school = faculty
schools = faculties
party = get together
parties = events
# --- nouns: things and ideas
document = doc
activities = actions
exercise = train
meeting = assembly
meetings = conferences
conference = convention
news = information
statement = assertion
interest = curiosity
rate = fee
rates = charges
principles = ideas
weather = climate
economic = financial
price = value
prices = costs
cost = value
costs = prices
money = cash
profit = revenue
revenue = income
sales = gross sales
stock = inventory
investment = funding
loan = mortgage
budget = finances
goods = items
items = objects
store = retailer
stores = shops
reports = experiences
data = information
information = data
number = quantity
amount = quantity
level = stage
levels = ranges
average = common
total = complete
record = report
records = information
history = historical past
stories = tales
photographs = images
picture = image
collection = assortment
issue = problem
issues = points
problem = drawback
problems = issues
question = query
answer = reply
answers = solutions
result = consequence
results = outcomes
outcome = end result
programs = applications
project = undertaking
projects = initiatives
policy = coverage
policies = insurance policies
law = regulation
laws = legal guidelines
cases = instances
rules = guidelines
hearing = listening to
charges = fees
evidence = proof
campaign = marketing campaign
disease = illness
diseases = ailments
illness = sickness
medicine = medication
treatment = remedy
death = demise
brain = mind
body = physique
muscles = muscle tissues
education = training
space = area
sunlight = daylight
light = gentle
heat = warmth
gas = fuel
fuel = gasoline
power = energy
energy = vitality
electricity = electrical energy
turbines = generators
area = space
region = area
places = locations
website = web site
site = web site
road = street
car = automobile
cars = vehicles
vehicle = car
vehicles = automobiles
trucks = vans
plane = airplane
trip = journey
game = recreation
games = video games
goal = aim
goals = objectives
score = rating
career = profession
art = artwork
film = movie
song = track
book = e book
way = approach
ways = methods
times = occasions
night = evening
food = meals
plants = vegetation
trees = bushes
idea = thought
ideas = concepts
mind = thoughts
reason = purpose
reasons = causes
chance = probability
chances = probabilities
risk = danger
risks = dangers
danger = hazard
trust = belief
management = administration
systems = programs
process = course of
sign = signal
signs = indicators
signal = sign
phone = telephone
phones = telephones
camera = digicam
tool = instrument
tools = instruments
equipment = tools
technology = expertise
computer = laptop
internet = web
online = on-line
war = struggle
# --- adjectives
as long as = so long as
right now = proper now
as well = as properly
able = in a position
likely = doubtless
probably = most likely
possible = potential
important = vital
importance = significance
major = main
main = principal
large = giant
big = huge
biggest = greatest
high = excessive
higher = greater
lower = decrease
latest = newest
modern = trendy
young = younger
next = subsequent
previous = earlier
final = ultimate
enough = sufficient
difficult = tough
hard = arduous
harder = tougher
easy = straightforward
easier = simpler
simple = easy
strong = sturdy
serious = critical
seriously = significantly
severe = extreme
real = actual
actual = precise
exactly = precisely
different = completely different
similar = comparable
same = identical
certain = sure
sure = positive
unusual = uncommon
rare = uncommon
common = widespread
popular = fashionable
famous = well-known
great = nice
bad = dangerous
best = greatest
better = higher
beautiful = lovely
happy = completely satisfied
sad = unhappy
angry = offended
tired = drained
ready = prepared
expensive = costly
cheap = low cost
rich = wealthy
fair = truthful
fairly = pretty
honest = trustworthy
careful = cautious
carefully = fastidiously
quick = fast
fastest = quickest
slow = gradual
short = brief
brief = temporary
local = native
national = nationwide
international = worldwide
global = international
private = personal
personal = non-public
legal = authorized
illegal = unlawful
independent = impartial
powerful = highly effective
effective = efficient
available = obtainable
valuable = precious
necessary = crucial
essential = important
basic = primary
fundamental = basic
significant = vital
dangerous = harmful
safe = protected
healthy = wholesome
hot = scorching
cold = chilly
entire = complete
whole = entire
huge = large
# --- adverbs and function words
again = once more
more = extra @ 0.15
less than = lower than
several = a number of
various = numerous
numerous = quite a few
approximately = roughly
nearly = practically
almost = nearly
only = solely
just = simply
still = nonetheless
much = a lot
really = actually
actually = truly
quickly = shortly
recently = lately
recent = current
currently = at present
current = present
often = usually
especially = particularly
particularly = significantly
mostly = principally
simply = merely
completely = fully
eventually = finally
finally = lastly
immediately = instantly
immediate = speedy
quite = fairly
rather than = slightly than
rather = fairly
instead = as an alternative
instead of = as an alternative of
however = nevertheless
although = though
because = as a result of
because of = due to
due to = as a consequence of
despite = regardless of
during = throughout
across = throughout
around = round
toward = towards
towards = in the direction of
while = whereas
until = till
among = amongst
beyond = past
near = close to
nearby = close by
outside = exterior
ahead of = forward of
ahead = forward
soon = quickly
whether = whether or not
unless = until
regarding = relating to
when it comes to = in relation to
each other = one another
a lot of = lots of
in order to = so as to
so that = in order that
as a result = because of this
for example = for instance
such as = similar to
at least = not less than
at the end of = on the finish of
at the time = on the time
at the moment = in the meanwhile
in recent years = lately
in the past = prior to now
for the first time = for the primary time
as soon as possible = as quickly as potential
in connection with = in reference to
part of = a part of
in charge of = in command of
on the other hand = alternatively
a little = somewhat
a bit = a bit of
so far = up to now
up to = as much as
next to = subsequent to
every day = on daily basis
every year = yearly
every week = each week
for free = without cost"""


def _parse_table(text):
    table = {}
    default = 1.0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("%weight"):
            default = float(line.split()[1])
            continue
        weight = default
        if "@" in line:
            line, w = line.rsplit("@", 1)
            weight = float(w)
        src, dst = (part.strip() for part in line.split("=", 1))
        if src in table:
            raise ValueError(f"duplicate table entry: {src!r}")
        if not re.fullmatch(r"[a-z]+(?: [a-z]+)*", src):
            raise ValueError(f"bad source phrase: {src!r}")
        if _norm_words(src) == _norm_words(dst):
            raise ValueError(f"entry does not change the words: {src!r}")
        table[src] = (dst, weight)
    return table


# Same tokenisation as the scorer: a word (with inner apostrophes) or one
# punctuation mark.
SCORER_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")


def _norm(tok):
    tok = unicodedata.normalize("NFKC", tok).replace("’", "'").replace("‘", "'")
    return tok.replace("“", '"').replace("”", '"').casefold()


def _norm_words(text):
    return [_norm(t) for t in SCORER_TOKEN.findall(text)]


TABLE = _parse_table(SPIN_TABLE)
MAX_WORDS = max(len(k.split()) for k in TABLE)

# Articles spun with another table than SPIN_TABLE (by --all too), relative to
# this directory: 33-40, 47-52 and 69-84 measure how the substitutions of the
# real spinner behind seed 000 generalise to new contexts
# (tests/cases/articles/README.md); 53-60 and 61-68 use tables written blind
# in seed 000's style (tables/spinner_b.tsv and tables_c/spinner_c.tsv there).
ARTICLE_TABLES = {f"{n}.txt": "seed000_table.tsv" for n in [*range(33, 41), *range(47, 53), *range(69, 93)]}
ARTICLE_TABLES.update({f"{n}.txt": os.path.join("..", "tests", "cases", "articles", "tables", "spinner_b.tsv")
                       for n in range(53, 61)})
ARTICLE_TABLES.update({f"{n}.txt": os.path.join("..", "tests", "cases", "articles", "tables_c", "spinner_c.tsv")
                       for n in range(61, 69)})


def load_table(path):
    """Read a substitution table file (see --table) into the TABLE format."""
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    lines = [raw for raw in text.splitlines() if raw.strip() and not raw.strip().startswith("#")]
    if not any("\t" in raw for raw in lines):
        return _parse_table(text)            # the SPIN_TABLE format
    converted = ["%weight 1.0"]
    for raw in lines:
        cols = []
        for col in raw.split("\t"):
            col = col.strip()
            if col.startswith("#"):
                break                       # trailing comment column
            if col:
                cols.append(col)
        if len(cols) not in (2, 3) or any(c in "".join(cols) for c in "=@"):
            raise ValueError(f"{path}: bad table line: {raw!r}")
        converted.append(f"{cols[0]} = {cols[1]}" + (f" @ {float(cols[2])}" if len(cols) == 3 else ""))
    table = _parse_table("\n".join(converted))
    if not table:
        raise ValueError(f"{path}: empty table")
    return table

# A candidate word: letters, optionally followed by a possessive 's.
WORD = re.compile(r"[A-Za-z]+(?:['’]s\b)?")


def protected_mask(text):
    """True for every character inside a double quotation (quotes included).

    Straight quotes toggle; curly quotes open/close. State resets at every
    line break, so an unbalanced quote cannot protect the rest of the file.
    """
    mask = [False] * len(text)
    inside = False
    for i, ch in enumerate(text):
        if ch == "\n":
            inside = False
            continue
        if ch == "“":
            inside = True
            mask[i] = True
        elif ch == "”":
            mask[i] = True
            inside = False
        elif ch == '"':
            mask[i] = True
            inside = not inside
        else:
            mask[i] = inside
    return mask


def candidate_words(text, mask):
    """Words the spinner may touch: (start, end_of_base, end_with_suffix)."""
    out = []
    for m in WORD.finditer(text):
        s, e = m.start(), m.end()
        before = text[s - 1] if s else ""
        after = text[e] if e < len(text) else ""
        # must be a whole word: no letters, digits or underscores glued on
        if before.isalnum() or before == "_" or after.isalnum() or after == "_":
            continue
        # skip inner parts of apostrophe words (don't, O'Connell) ...
        if before in "'’" and s >= 2 and text[s - 2].isalnum():
            continue
        if after in "'’" and e + 1 < len(text) and text[e + 1].isalnum():
            continue
        # ... and words hyphenated to a number ("10-year", "year-2024")
        if before == "-" and s >= 2 and text[s - 2].isdigit():
            continue
        if after == "-" and e + 1 < len(text) and text[e + 1].isdigit():
            continue
        if any(mask[s:e]):
            continue
        word = m.group()
        base_end = e - 2 if word[-2:] in ("'s", "’s") else e
        out.append((s, base_end, e))
    return out


VOWEL_EXCEPTIONS = ("uni", "use", "usu", "uti", "eu", "one", "once", "ur")
SILENT_H = ("hour", "honest", "honor", "heir")
# "a"/"an" as a whole word, followed by exactly one space, at the end of the
# searched range (the range ends where the replaced word starts)
ARTICLE_BEFORE = re.compile(r"(?<![\w'’])(a|an|A|An) \Z")


def wants_an(word):
    w = word.lower()
    if not w:
        return False
    if w[0].isdigit():
        return w.startswith("8") or w.startswith("11") or w.startswith("18")
    if w.startswith(SILENT_H):
        return True
    return w[0] in "aeiou" and not w.startswith(VOWEL_EXCEPTIONS)


def match_case(source, replacement):
    words = source.split(" ")
    if len(words) > 1 and all(w[:1].isupper() for w in words):
        small = {"a", "an", "the", "of", "in", "to", "and", "with", "on", "for"}
        out = [r if (i and r in small) else r[:1].upper() + r[1:]
               for i, r in enumerate(replacement.split(" "))]
        return " ".join(out)
    if source[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def _clashes(text, changes, start, end, rep):
    """True if this change would sit right after the previous one (one space
    between) and the two together share a word between original and spun
    wording ("one of several" -> "one in all a number of"). A word-level diff
    of such a run can align the shared word across the two changes, which
    makes the pair impossible to score as two separate swaps; a real spinner
    run would rarely produce it, so the simulator just skips the second one.
    """
    if not changes:
        return False
    p_start, p_end, p_rep = changes[-1]
    if text[p_end:start] != " ":
        return False
    orig = set(_norm_words(text[p_start:end]))
    spun = set(_norm_words(p_rep + " " + rep))
    return bool(orig & spun)


def spin(text, rate=0.85, seed=0, name="", table=None):
    """Spin TEXT. Returns (spun_text, edits) with edits in spun offsets.

    TABLE (from load_table) replaces the built-in SPIN_TABLE when given."""
    if table is None:
        table, max_words = TABLE, MAX_WORDS
    else:
        max_words = max(len(k.split()) for k in table)
    rng = random.Random(f"{seed}:{name}")
    mask = protected_mask(text)
    words = candidate_words(text, mask)
    # changes in ORIGINAL offsets: [orig_start, orig_end, replacement]
    changes = []
    i = 0
    while i < len(words):
        step = 1
        for n in range(min(max_words, len(words) - i), 0, -1):
            span = words[i:i + n]
            # consecutive words joined by exactly one space, no possessive inside
            if any(text[a[2]:b[0]] != " " for a, b in zip(span, span[1:])):
                continue
            if any(w[1] != w[2] for w in span[:-1]):
                continue
            start, end = span[0][0], span[-1][1]
            source = text[start:end]
            if source.lower() not in table:
                continue
            if not any(len(w) > 1 and w.isupper() for w in source.split(" ")):
                dst, weight = table[source.lower()]
                rep = match_case(source, dst)
                # one roll per match; a miss leaves the whole phrase alone
                if rng.random() < rate * weight and not _clashes(text, changes, start, end, rep):
                    changes.append([start, end, rep])
            step = n
            break
        i += step
    # a/an agreement in front of a replaced word: "a long" -> "an extended"
    for c in changes:
        m = ARTICLE_BEFORE.search(text, max(0, c[0] - 4), c[0])
        if not m or any(mask[m.start():m.end()]):
            continue
        if any(o[0] <= m.start() < o[1] for o in changes if o is not c):
            continue                        # the article was itself replaced
        art = m.group(1)
        need_an = wants_an(c[2])
        if need_an == (art.lower() == "an"):
            continue
        new_art = "an" if need_an else "a"
        if art[0].isupper():
            new_art = new_art.capitalize()
        c[2] = new_art + " " + c[2]
        c[0] = m.start()
    # build the spun text and record each change in spun offsets
    changes.sort()
    out, edits, pos, shift = [], [], 0, 0
    for o_start, o_end, rep in changes:
        out.append(text[pos:o_start])
        s_start = o_start + shift
        out.append(rep)
        edits.append({"start": s_start, "end": s_start + len(rep),
                      "o_start": o_start, "o_end": o_end})
        shift += len(rep) - (o_end - o_start)
        pos = o_end
    out.append(text[pos:])
    spun = "".join(out)
    return spun, _finish_edits(text, spun, edits)


def _finish_edits(orig, spun, edits):
    """Widen edits to whole scorer tokens, merge touching ones, build gold."""
    toks = [(m.start(), m.end()) for m in SCORER_TOKEN.finditer(spun)]
    widened = []
    for e in edits:
        s, t = e["start"], e["end"]
        ns, nt = s, t
        for a, b in toks:
            if a < t and b > s:
                ns, nt = min(ns, a), max(nt, b)
        widened.append({"start": ns, "end": nt,
                        "o_start": e["o_start"] - (s - ns),
                        "o_end": e["o_end"] + (nt - t)})
    merged = []
    for e in widened:
        if merged:
            prev = merged[-1]
            gap = spun[prev["end"]:e["start"]]
            if e["start"] <= prev["end"] or gap == " ":
                prev["end"] = max(prev["end"], e["end"])
                prev["o_end"] = max(prev["o_end"], e["o_end"])
                continue
        merged.append(dict(e))
    gold = []
    for e in merged:
        spun_part = spun[e["start"]:e["end"]]
        orig_part = orig[e["o_start"]:e["o_end"]]
        if _norm_words(spun_part) == _norm_words(orig_part):
            raise AssertionError(f"edit does not change words: {spun_part!r}")
        gold.append({"start": e["start"], "end": e["end"], "spun": spun_part,
                     "expected": [orig_part], "certainty": "verified"})
    return gold


def check_alignment(orig, spun, gold):
    """Re-create the original from the spun text and the gold edits."""
    out, pos = [], 0
    for e in gold:
        out.append(spun[pos:e["start"]])
        out.append(e["expected"][0])
        pos = e["end"]
    out.append(spun[pos:])
    return "".join(out) == orig


def spin_file(src, dst, gold_path, rate, seed, table=None):
    with open(src, encoding="utf-8") as fh:
        text = fh.read()
    spun, gold = spin(text, rate=rate, seed=seed, name=os.path.basename(src), table=table)
    if not check_alignment(text, spun, gold):
        raise AssertionError(f"{src}: gold edits do not reproduce the original")
    os.makedirs(os.path.dirname(os.path.abspath(dst)), exist_ok=True)
    with open(dst, "w", encoding="utf-8") as fh:
        fh.write(spun)
    doc = {"text": os.path.basename(dst), "edits": gold}
    with open(gold_path, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(doc, indent=1, ensure_ascii=False))
    return len(gold)


def find_scorer(path=None):
    """Load score.py (the shared evaluation scorer) if it can be found.

    Looks at PATH, else at ../shared/eval/score.py next to the repository.
    Returns the module or None. Only used to double-check generated data.
    """
    if path is None:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        path = os.path.join(os.path.dirname(root), "shared", "eval", "score.py")
        if not os.path.exists(path):
            return None
    import importlib.util
    spec = importlib.util.spec_from_file_location("spin_score", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def verify(scorer, clean_path, spun_path, gold_path):
    """Clean text must repair the spun text perfectly; spun text must score 0."""
    read = lambda p: open(p, encoding="utf-8").read()
    clean, spun = read(clean_path), read(spun_path)
    gold = json.load(open(gold_path, encoding="utf-8"))
    good = scorer.score(spun, clean, gold)
    none = scorer.score(spun, spun, gold)
    ok = good["f1"] == 1.0 and none["recall"] == 0.0
    return ok, good["f1"], none["recall"]


def main(argv=None):
    ap = argparse.ArgumentParser(description="Spinner simulator (test-data generator).")
    ap.add_argument("input", nargs="?", help="clean article (UTF-8 text)")
    ap.add_argument("-o", "--output", help="where to write the spun text")
    ap.add_argument("--gold", help="where to write the gold edit JSON")
    ap.add_argument("--all", action="store_true",
                    help="spin tests/cases/articles/clean/NN.txt into tests/cases/articles/spun/")
    ap.add_argument("--rate", type=float, default=0.85,
                    help="probability of applying a matched entry (default 0.85)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    ap.add_argument("--table", metavar="FILE",
                    help="substitution table to use instead of the built-in one (see the module docstring)")
    ap.add_argument("--check", metavar="SCORE_PY",
                    help="score.py to verify the output with (default: ../shared/eval/score.py if present)")
    ap.add_argument("--no-check", action="store_true", help="do not verify with score.py")
    args = ap.parse_args(argv)
    if args.all and args.table:
        ap.error("--table is for a single file; --all uses ARTICLE_TABLES for the articles that need another table")
    table = load_table(args.table) if args.table else None
    scorer = None if args.no_check else find_scorer(args.check)
    failures = 0

    def report(name, count, clean_path, spun_path, gold_path):
        nonlocal failures
        line = f"{name}: {count} edits"
        if scorer is not None:
            ok, f1, recall = verify(scorer, clean_path, spun_path, gold_path)
            line += f"; score.py: clean F1 {f1}, spun recall {recall}" + ("" if ok else "  FAILED")
            failures += not ok
        print(line)

    if args.all:
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        clean_dir = os.path.join(root, "tests", "cases", "articles", "clean")
        spun_dir = os.path.join(root, "tests", "cases", "articles", "spun")
        names = sorted(n for n in os.listdir(clean_dir) if re.fullmatch(r"\d+\.txt", n))
        if not names:
            sys.exit(f"no NN.txt files in {clean_dir}")
        for n in names:
            stem = n[:-4]
            paths = (os.path.join(clean_dir, n), os.path.join(spun_dir, n),
                     os.path.join(spun_dir, stem + ".gold.json"))
            own = ARTICLE_TABLES.get(n)
            own = load_table(os.path.join(os.path.dirname(os.path.abspath(__file__)), own)) if own else None
            count = spin_file(*paths, args.rate, args.seed, own)
            report(n, count, *paths)
    else:
        if not (args.input and args.output and args.gold):
            ap.error("give INPUT -o SPUN --gold GOLD, or --all")
        count = spin_file(args.input, args.output, args.gold, args.rate, args.seed, table)
        report(os.path.basename(args.input), count, args.input, args.output, args.gold)
    if scorer is None and not args.no_check:
        print("(score.py not found: output not verified; use --check PATH)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
