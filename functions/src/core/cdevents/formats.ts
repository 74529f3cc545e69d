/**
 * The three string formats the CDEvents schemas use (`date-time`, `uri`, `uri-reference`).
 *
 * The verdicts deliberately follow ajv-formats' "full" mode, the reference implementation the
 * official schemas are checked with, including its documented leniencies: a space or a lower-case
 * `t` may separate date and time, the zone may be `z`, `+05`, `+0530` or `+05:30`, any number of
 * fractional digits is accepted, `"` is allowed in URI references, and `:` is allowed in the
 * first segment of a relative reference. Each function is pure and never throws.
 */

const FULL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PARTIAL_TIME_WITH_ZONE = /^(\d{2}):(\d{2}):(\d{2}(?:\.\d+)?)(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?$/;
/** Date and time are joined by `T`, `t` or any white-space character (RFC 3339 §5.6 note). */
const DATE_TIME_SEPARATOR = /[Tt\s]/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function isFullDate(text: string): boolean {
  const m = FULL_DATE.exec(text);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12) return false;
  const lastDay = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day >= 1 && day <= lastDay;
}

function isTimeWithZone(text: string): boolean {
  const m = PARTIAL_TIME_WITH_ZONE.exec(text);
  if (!m) return false;
  const [, hh, mm, ss, zulu, sign, offHours, offMinutes] = m;
  // RFC 3339 makes the zone mandatory in a date-time.
  if (!zulu && !sign) return false;
  const hour = Number(hh);
  const minute = Number(mm);
  // Parsed as a float on purpose: "59.99999999999999999" rounds to 60, as in the reference validator.
  const second = Number(ss);
  const zoneHours = Number(offHours ?? 0);
  const zoneMinutes = Number(offMinutes ?? 0);
  if (zoneHours > 23 || zoneMinutes > 59) return false;
  if (hour <= 23 && minute <= 59 && second < 60) return true;
  // A leap second (second 60) is only possible at 23:59 UTC; shift the clock by the offset to see.
  const direction = sign === '-' ? -1 : 1;
  const utcMinute = minute - zoneMinutes * direction;
  const utcHour = hour - zoneHours * direction - (utcMinute < 0 ? 1 : 0);
  return (utcHour === 23 || utcHour === -1) && (utcMinute === 59 || utcMinute === -1) && second < 61;
}

/**
 * True when `text` is an RFC 3339 `date-time`: a valid calendar date (leap years included), a time,
 * and a mandatory zone; a leap second is accepted only when it falls at 23:59:60 UTC.
 */
export function isDateTime(text: string): boolean {
  const parts = text.split(DATE_TIME_SEPARATOR);
  return parts.length === 2 && isFullDate(parts[0]!) && isTimeWithZone(parts[1]!);
}

// RFC 3986 character classes (ASCII only). `"` is tolerated in references, not in absolute URIs.
const UNRESERVED_AND_SUB_DELIMS = "A-Za-z0-9\\-._~!$&'()*+,;=";
const PCT_ENCODED = '%[0-9A-Fa-f]{2}';

function run(chars: string): RegExp {
  return new RegExp(`^(?:[${chars}]|${PCT_ENCODED})*$`);
}

interface UriGrammar {
  userinfo: RegExp;
  regName: RegExp;
  /** Path characters: pchar or `/`. */
  path: RegExp;
  /** Query and fragment characters: pchar, `/` or `?`. */
  queryOrFragment: RegExp;
}

const ABSOLUTE: UriGrammar = {
  userinfo: run(`${UNRESERVED_AND_SUB_DELIMS}:`),
  regName: run(UNRESERVED_AND_SUB_DELIMS),
  path: run(`${UNRESERVED_AND_SUB_DELIMS}:@/`),
  queryOrFragment: run(`${UNRESERVED_AND_SUB_DELIMS}:@/?`),
};

const REFERENCE: UriGrammar = {
  userinfo: run(`${UNRESERVED_AND_SUB_DELIMS}:`),
  regName: run(`${UNRESERVED_AND_SUB_DELIMS}"`),
  path: run(`${UNRESERVED_AND_SUB_DELIMS}":@/`),
  queryOrFragment: run(`${UNRESERVED_AND_SUB_DELIMS}":@/?`),
};

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
const PORT = /^(?::\d*)?$/;
const H16 = /^[0-9A-Fa-f]{1,4}$/;
const DEC_OCTET = /^\d{1,3}$/;
const IPV_FUTURE = /^[Vv][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;

function isIpv4(text: string): boolean {
  const octets = text.split('.');
  return octets.length === 4 && octets.every((o) => DEC_OCTET.test(o) && Number(o) <= 255);
}

/** RFC 3986 `IPv6address`: eight 16-bit groups (the last two may be an IPv4 address), `::` once. */
function isIpv6(text: string): boolean {
  const gap = text.indexOf('::');
  if (gap !== text.lastIndexOf('::')) return false;
  const head = gap < 0 ? text : text.slice(0, gap);
  const tail = gap < 0 ? '' : text.slice(gap + 2);
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...tailGroups];
  // Only the very last group of the address may be a dotted IPv4 address.
  const lastIsEnd = gap < 0 || tailGroups.length > 0;
  let count = 0;
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i]!;
    if (H16.test(group)) count += 1;
    else if (lastIsEnd && i === groups.length - 1 && isIpv4(group)) count += 2;
    else return false;
  }
  return gap < 0 ? count === 8 : count <= 7;
}

function isHostAndPort(text: string, grammar: UriGrammar): boolean {
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return false;
    const literal = text.slice(1, close);
    return (isIpv6(literal) || IPV_FUTURE.test(literal)) && PORT.test(text.slice(close + 1));
  }
  const colon = text.indexOf(':');
  const host = colon < 0 ? text : text.slice(0, colon);
  return grammar.regName.test(host) && PORT.test(colon < 0 ? '' : text.slice(colon));
}

/** `[userinfo@]host[:port]` followed by an absolute-or-empty path. */
function isAuthorityAndPath(text: string, grammar: UriGrammar): boolean {
  const slash = text.indexOf('/');
  const authority = slash < 0 ? text : text.slice(0, slash);
  if (slash >= 0 && !grammar.path.test(text.slice(slash))) return false;
  const at = authority.indexOf('@');
  if (at >= 0 && !grammar.userinfo.test(authority.slice(0, at))) return false;
  return isHostAndPort(authority.slice(at + 1), grammar);
}

/** The part between the scheme and the query: `//authority/path`, `/path`, or `path`. */
function isHierPart(hier: string, grammar: UriGrammar, mayBeEmpty: boolean): boolean {
  if (hier === '') return mayBeEmpty;
  // Every path form (rootless, absolute, or `//` with an empty authority) is a run of path characters.
  if (grammar.path.test(hier)) return true;
  // Otherwise only an authority can explain the rest (e.g. an IP literal `[::1]`). The reference
  // validator also accepts the authority after a single slash; so do we.
  if (hier.startsWith('//') && isAuthorityAndPath(hier.slice(2), grammar)) return true;
  return hier.startsWith('/') && isAuthorityAndPath(hier.slice(1), grammar);
}

function isAfterScheme(rest: string, grammar: UriGrammar, hierMayBeEmpty: boolean): boolean {
  const hash = rest.indexOf('#');
  const beforeFragment = hash < 0 ? rest : rest.slice(0, hash);
  if (hash >= 0 && !grammar.queryOrFragment.test(rest.slice(hash + 1))) return false;
  const question = beforeFragment.indexOf('?');
  const hier = question < 0 ? beforeFragment : beforeFragment.slice(0, question);
  if (question >= 0 && !grammar.queryOrFragment.test(beforeFragment.slice(question + 1))) return false;
  return isHierPart(hier, grammar, hierMayBeEmpty);
}

/** True when `text` is an absolute URI (RFC 3986 §3: a scheme, then a non-empty hierarchical part). */
export function isUri(text: string): boolean {
  const scheme = SCHEME.exec(text);
  return scheme !== null && isAfterScheme(text.slice(scheme[0].length), ABSOLUTE, false);
}

/**
 * True when `text` is a URI reference (RFC 3986 §4.1): an absolute URI or a relative reference
 * such as `/event/source/123`, `//host/p`, `?q`, `#frag` or the empty string.
 */
export function isUriReference(text: string): boolean {
  const scheme = SCHEME.exec(text);
  if (scheme !== null && isAfterScheme(text.slice(scheme[0].length), REFERENCE, true)) return true;
  return isAfterScheme(text, REFERENCE, true);
}
