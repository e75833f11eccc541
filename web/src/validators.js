// Browser-side checks of the applicant's identity fields, so a typo is caught before the case is
// sent (the server is the authority and checks again). Pure functions: no Vue, no i18n.

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_CHARS = '10X98765432'

// GB 11643-1999 citizen ID number: 17 digits and a check character computed with ISO 7064
// MOD 11-2. Returns null when valid, else why not: 'length' (not 18 characters / wrong shape)
// or 'check' (the 18th character does not match), so the page can say which.
export function idNumberProblem(value) {
  const text = String(value || '').trim().toUpperCase()
  if (!/^\d{17}[\dX]$/.test(text)) return 'length'
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(text[i]) * ID_WEIGHTS[i]
  return ID_CHECK_CHARS[sum % 11] === text[17] ? null : 'check'
}

export const isValidIdNumber = (value) => idNumberProblem(value) === null

// A mainland mobile number: 11 digits starting 13–19 (the 12 prefix is not issued to people).
export const isValidMobile = (value) => /^1[3-9]\d{9}$/.test(String(value || '').trim())
