/**
 * The rules for text that callers give and keyfob stores. Pure functions, no I/O.
 *
 * Two levels:
 * - every string argument, whatever its field (`encodingProblem`, `MAX_STRING_LENGTH`):
 *   PostgreSQL cannot store U+0000 in text, and a lone UTF-16 surrogate has no UTF-8 form (the
 *   driver would silently store U+FFFD instead);
 * - display text, the names and descriptions that people read in a user interface
 *   (`checkDisplayText`; email addresses share its `misleadingCharacterProblem`): stored NFC-normalised and trimmed, one line, no control characters, no
 *   bidirectional embedding, override or isolate characters (they make a text read differently
 *   from what it holds: "key\u202Eyek" shows as "keykey"), something visible, and a length
 *   counted in code points after normalisation, as PostgreSQL's `char_length` counts.
 */

/** The longest each kind of display text may be, in code points after normalisation. */
export const DISPLAY_TEXT_LIMITS = Object.freeze({
  organizationName: 100,
  projectName: 64,
  userName: 100,
  apiKeyDescription: 250,
  accessListComment: 250,
});

/** No string argument may be longer (UTF-16 code units); each field's own limit is lower. */
export const MAX_STRING_LENGTH = 1_000;

/** Why a string cannot be taken at all, or null. */
export function encodingProblem(value: string): string | null {
  if (value.includes("\u0000")) return "must not contain the NUL character (U+0000)";
  // With the `u` flag a well-formed pair is one astral code point: only lone halves match.
  if (/\p{Surrogate}/u.test(value)) return "must not contain a lone UTF-16 surrogate";
  if (value.length > MAX_STRING_LENGTH) return `must be at most ${MAX_STRING_LENGTH} characters`;
  return null;
}

/** C0 and C1 controls (tabs and line feeds included) and the Unicode line/paragraph separators. */
const CONTROL = /[\p{Cc}\u2028\u2029]/u;
/** LRE, RLE, PDF, LRO, RLO (U+202A–U+202E) and LRI, RLI, FSI, PDI (U+2066–U+2069). */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** A letter, digit, punctuation mark or symbol: what makes a text more than blank. */
const VISIBLE = /[\p{L}\p{N}\p{P}\p{S}]/u;

export type TextCheck = { ok: true; value: string } | { ok: false; problem: string };

/** The stored form of display text: NFC, without leading and trailing white space. */
export function normalizeDisplayText(value: string): string {
  return value.normalize("NFC").trim();
}

/** Length as PostgreSQL's `char_length` counts it: code points. */
export function codePointLength(value: string): number {
  let length = 0;
  for (const _ of value) length++;
  return length;
}

/**
 * Checks a name or description against the display-text rules and returns the form to store.
 * Problems read as the end of a sentence that starts with the field's name.
 */
export function checkDisplayText(value: string, maxLength: number): TextCheck {
  const encoding = encodingProblem(value);
  if (encoding) return { ok: false, problem: encoding };
  const normalized = normalizeDisplayText(value);
  const misleading = misleadingCharacterProblem(normalized);
  if (misleading) return { ok: false, problem: misleading };
  if (!VISIBLE.test(normalized)) return { ok: false, problem: "must not be blank" };
  if (codePointLength(normalized) > maxLength) {
    return { ok: false, problem: `must be 1 to ${maxLength} characters` };
  }
  return { ok: true, value: normalized };
}

/**
 * Characters that make a text shown in a user interface read other than it is: control
 * characters and line breaks, and bidirectional embeddings, overrides and isolates. Display
 * text and email addresses both refuse them.
 */
export function misleadingCharacterProblem(value: string): string | null {
  if (CONTROL.test(value)) return "must be one line without control characters";
  if (BIDI_CONTROL.test(value)) {
    return "must not contain bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069)";
  }
  return null;
}
