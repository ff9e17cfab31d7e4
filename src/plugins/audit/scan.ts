// Finds email addresses and card numbers in client text, in one pass each, and cuts text to size
// before it is searched. Hand-written rather than regular expressions: a backtracking pattern
// like /[\w.+-]+@.../ retries from every character of a long run without `@` and takes quadratic
// time (120 000 characters held the event loop for 11 s). Each scan below looks at every
// character a bounded number of times, and only within the window kept for the record.
export type Span = readonly [start: number, end: number];

const isDigit = (c: number) => c >= 48 && c <= 57;
const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
// RFC 5322's common subset, as the audit has always matched: letters, digits and . _ % + - before the @ ...
const isLocal = (c: number) => isAlpha(c) || isDigit(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
// ... and letters, digits, dots and hyphens after it.
const isDomain = (c: number) => isAlpha(c) || isDigit(c) || c === 46 || c === 45;

/**
 * Email-like addresses: a run of local characters, `@`, and a domain with a dot followed by two
 * letters somewhere (`a@mail.example.co.uk`). Spans never overlap. Each backward and forward
 * scan stops at an `@` (neither class contains it), so together they read the text once.
 */
export function emailSpans(text: string): Span[] {
  const spans: Span[] = [];
  let floor = 0;
  for (let at = text.indexOf('@'); at !== -1; at = text.indexOf('@', at + 1)) {
    if (at < floor) continue;
    let start = at;
    while (start > floor && isLocal(text.charCodeAt(start - 1))) start--;
    let end = at + 1;
    while (end < text.length && isDomain(text.charCodeAt(end))) end++;
    // A sentence's full stop (or a stray hyphen) after the address is not part of it.
    while (end > at + 1 && (text.charCodeAt(end - 1) === 46 || text.charCodeAt(end - 1) === 45)) end--;
    if (start === at || text.charCodeAt(at + 1) === 46) continue;
    let tld = false;
    for (let i = at + 2; i + 2 < end && !tld; i++) tld = text.charCodeAt(i) === 46 && isAlpha(text.charCodeAt(i + 1)) && isAlpha(text.charCodeAt(i + 2));
    if (!tld) continue;
    spans.push([start, end]);
    floor = end;
  }
  return spans;
}

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Luhn-valid card numbers of 13 to 19 digits, with single spaces or dashes allowed between digits,
 * not part of a longer digit run. From each start (a digit not preceded by one), the longest
 * valid number wins; at most 19 digits are read per start, so the scan is linear.
 */
export function cardSpans(text: string): Span[] {
  const spans: Span[] = [];
  for (let start = 0; start < text.length; start++) {
    if (!isDigit(text.charCodeAt(start)) || (start > 0 && isDigit(text.charCodeAt(start - 1)))) continue;
    let digits = '';
    let best = -1;
    for (let i = start; i < text.length && digits.length < 19; i++) {
      const c = text.charCodeAt(i);
      if (isDigit(c)) digits += text[i];
      else if ((c === 32 || c === 45) && i > start && isDigit(text.charCodeAt(i - 1)) && isDigit(text.charCodeAt(i + 1))) continue;
      else break;
      // A number ends where no digit follows directly (a separator may).
      if (digits.length >= 13 && !isDigit(text.charCodeAt(i + 1)) && luhn(digits)) best = i + 1;
    }
    if (best === -1) continue;
    spans.push([start, best]);
    start = best - 1;
  }
  return spans;
}

/** Room past the cut, so an address that straddles it is still recognised (an email is at most 254 characters). */
const LOOKAHEAD = 256;

/**
 * The first `max` characters of `text` with card numbers and email addresses replaced by
 * `replacement`. The text is cut before it is searched; an address that straddles the cut is
 * replaced whole, so a cut never leaves part of one behind. What was cut off is counted.
 */
export function scrubCut(text: string, max: number, replacement: string): string {
  const window = text.length > max + LOOKAHEAD ? text.slice(0, max + LOOKAHEAD) : text;
  const spans = [...emailSpans(window), ...cardSpans(window)].sort((a, b) => a[0] - b[0]);
  let out = '';
  let pos = 0;
  for (const [start, end] of spans) {
    if (start >= max) break;
    if (start < pos) continue;
    out += window.slice(pos, start) + replacement;
    pos = end;
  }
  if (pos < max) {
    out += window.slice(pos, max);
    pos = Math.min(max, text.length);
  }
  const rest = text.length - pos;
  return rest > 0 ? `${out}…[+${rest} chars]` : out;
}
