#!/usr/bin/env python3
"""RASP programs of our own, checked against independent plain-Python versions.

Each entry: a RASP source, the token variable it reads, a Python function
computing the expected output sequence directly (no RASP involved), and a
generator of random inputs.  rows() yields rows in the specs/rasp/*.jsonl
format for run_rows.py; the seed is fixed, so the suite is deterministic.
"""
import random

PROGRAMS = []


def program(name, tokens, source, gen):
    def wrap(fn):
        PROGRAMS.append((name, tokens, source, fn, gen))
        return fn
    return wrap


def letters(alphabet, lo=1, hi=10):
    return lambda r: [r.choice(alphabet) for _ in range(r.randint(lo, hi))]


def ints(lo_v, hi_v, lo=1, hi=10):
    return lambda r: [r.randint(lo_v, hi_v) for _ in range(r.randint(lo, hi))]


# -- sorting integers with duplicates (stable), through the prelude's sort
@program("sort_dups", "tokens_int", """
# ascending sort of integer tokens with repeats, via the prelude's sort()
sort_dups = sort(tokens_int, tokens_int);
""", ints(0, 5))
def _sort_dups(xs):
    return sorted(xs)


# -- the most frequent token (ties: the one seen first), everywhere
@program("most_frequent", "tokens_str", """
_count = selector_width(select(tokens, tokens, ==));
_first = selector_width(select(tokens, tokens, ==) and select(indices, indices, <)) == 0;
# positions holding a strictly more frequent token, or an equally frequent one seen earlier
_better = select(_count, _count, >) or (select(_count, _count, ==) and select(indices, indices, <));
_is_best = _first and selector_width(_better and select(_first, True, ==)) == 0;
most_frequent = aggregate(select(_is_best, True, ==), tokens, "?");
""", letters("abcd"))
def _most_frequent(xs):
    best = max(xs, key=lambda t: (xs.count(t), -xs.index(t)))
    return [best] * len(xs)


# -- Dyck-2 prefixes: T balanced, P pending, F broken
@program("dyck2", "tokens_str", """
_open = tokens in ["(", "["];
_close = tokens in [")", "]"];
_upto = select(indices, indices, <=);
_depth = round((indices + 1) * aggregate(_upto, indicator(_open) - indicator(_close)));
_neg = aggregate(_upto, indicator(_depth < 0)) > 0;
# rank of each opener among the openers before it at the same depth
_lvl = _depth if _open else -100;
_rank = selector_width(select(_lvl, _lvl, ==) and select(indices, indices, <));
# a closer at depth d matches the last opener before it at depth d + 1
_want = _depth + 1 if _close else -200;
_seen = selector_width(select(_lvl, _want, ==) and select(indices, indices, <));
_match = select(_lvl, _want, ==) and select(_rank, _seen - 1, ==) and select(indices, indices, <);
_partner = aggregate(_match, tokens, "");
_pairs = {"(": ")", "[": "]", "": ""};
_bad = _close and not (_pairs[_partner] == tokens);
_broken = _neg or aggregate(_upto, indicator(_bad)) > 0;
dyck2 = "F" if _broken else ("T" if _depth == 0 else "P");
""", letters("()[]", 1, 12))
def _dyck2(xs):
    out, stack, broken = [], [], False
    for t in xs:
        if t in "([":
            stack.append(t)
        elif not stack or {"(": ")", "[": "]"}[stack.pop()] != t:
            broken = True
        out.append("F" if broken else ("T" if not stack else "P"))
    return out


# -- double histogram on integers
@program("double_hist_int", "tokens_int", """
_hist = hist(tokens_int);
_first = mark_first_instance(tokens_int, tokens_int);
# distinct values that occur exactly as often as this one
double_hist_int = selector_width(select(_hist, _hist, ==) and select(_first, True, ==));
""", ints(0, 4))
def _double_hist_int(xs):
    counts = {x: xs.count(x) for x in xs}
    return [sum(1 for v in counts.values() if v == counts[x]) for x in xs]


# -- number of distinct tokens
@program("count_distinct", "tokens_str", """
_first = selector_width(select(tokens, tokens, ==) and select(indices, indices, <)) == 0;
count_distinct = selector_width(select(_first, True, ==));
""", letters("abcde"))
def _count_distinct(xs):
    return [len(set(xs))] * len(xs)


# -- prefix sums of integers (mean times count, rounded back to an int)
@program("prefix_sum", "tokens_int", """
prefix_sum = round((indices + 1) * aggregate(select(indices, indices, <=), tokens_int));
""", ints(-5, 9))
def _prefix_sum(xs):
    return [sum(xs[:i + 1]) for i in range(len(xs))]


# -- palindrome test, broadcast
@program("palindrome", "tokens_str", """
_mirror = reverse(tokens);
palindrome = selector_width(select(tokens == _mirror, False, ==)) == 0;
""", letters("ab", 1, 7))
def _palindrome(xs):
    return [xs == xs[::-1]] * len(xs)


# -- the maximum: the mean of equal maxima is a float when several are selected
@program("max_value", "tokens_int", """
_is_max = selector_width(select(tokens_int, tokens_int, >)) == 0;
max_value = aggregate(select(_is_max, True, ==), tokens_int);
""", ints(0, 4))
def _max_value(xs):
    m = max(xs)
    return [float(m) if xs.count(m) > 1 else m] * len(xs)


# -- a Caesar shift through a dict built by a comprehension over zip
@program("caesar", "tokens_str", """
_abc = ["a", "b", "c", "d", "e"];
_next = {a: b for a, b in zip(_abc, ["b", "c", "d", "e", "a"])};
caesar = _next[tokens];
""", letters("abcde"))
def _caesar(xs):
    return ["abcde"[("abcde".index(x) + 1) % 5] for x in xs]


# -- fizzbuzz on positions: functions with two results, for loops, lists
@program("fizzbuzz", "tokens_str", """
def _divides(k, x) {
    return x % k == 0, k;
}
_f, _three = _divides(3, indices + 1);
_b, _five = _divides(5, indices + 1);
_words = ["", "fizz", "buzz", "fizzbuzz"];
fizzbuzz = _words[indicator(_f) + 2 * indicator(_b)];
""", letters("x", 1, 16))
def _fizzbuzz(xs):
    return [("fizz" if (i + 1) % 3 == 0 else "") + ("buzz" if (i + 1) % 5 == 0 else "")
            for i in range(len(xs))]


# -- counting several letters with a loop; float division and modulo
@program("letter_share", "tokens_str", """
_total = 0;
for _t in ["a", "b"] {
    _total = _total + count(tokens, _t);
}
letter_share = _total / length + (indices % 2) * 10;
""", letters("abc"))
def _letter_share(xs):
    share = sum(1 for x in xs if x in "ab") / len(xs)
    return [share + (i % 2) * 10 for i in range(len(xs))]


# -- descending sort of distinct integers via sort_unique on a negated key
@program("sort_desc", "tokens_int", """
sort_desc = sort_unique(tokens_int, -tokens_int);
""", lambda r: r.sample(range(0, 30), r.randint(1, 10)))
def _sort_desc(xs):
    return sorted(xs, reverse=True)


# -- shift right by two with a filler, and load from a computed location
@program("shift_two", "tokens_str", """
_shifted = shift(tokens, 2, "_");
shift_two = _shifted + load_from_location(tokens, length - 1);
""", letters("pqr"))
def _shift_two(xs):
    return [(xs[i - 2] if i >= 2 else "_") + xs[-1] for i in range(len(xs))]


def rows(seed=1234, per_program=8):
    r = random.Random(seed)
    out = []
    for name, tokens, source, fn, gen in PROGRAMS:
        for _ in range(per_program):
            xs = gen(r)
            out.append({"program": name, "source": source.lstrip("\n"), "input": xs,
                        "tokens": tokens, "output": fn(xs)})
    return out
