// A hall's opening hours in words, one line per weekday rule: "周一至周五 09:00–12:00，13:30–17:30".
// The data is what the server keeps (docs/organisation.md#opening-hours).

// [1, 2, 3, 4, 5] -> "周一至周五"; [1, 3] -> "周一、周三"
export function weekdaysText(t, tm, weekdays) {
  const names = tm('hours.weekdays')
  const sorted = [...weekdays].sort((a, b) => a - b)
  const run = sorted.length >= 3 && sorted.every((w, i) => i === 0 || w === sorted[i - 1] + 1)
  if (run) return `${names[sorted[0]]}${t('hours.through')}${names[sorted[sorted.length - 1]]}`
  return sorted.map((w) => names[w]).join('、')
}

export function ruleText(t, rule) {
  const sep = t('hours.through') === '至' ? '，' : ', '
  return rule.lunch
    ? `${rule.opens}–${rule.lunch.from}${sep}${rule.lunch.to}–${rule.closes}`
    : `${rule.opens}–${rule.closes}`
}

// "05-01" -> "5月1日" (zh) or "1 May"-free "05-01" (en)
export function monthDay(locale, md) {
  if (locale !== 'en') return `${Number(md.slice(0, 2))}月${Number(md.slice(3))}日`
  return md
}

export function seasonRange(t, locale, season) {
  if (season.from === '01-01' && season.to === '12-31') return t('hours.allYear')
  return t('hours.season', { from: monthDay(locale, season.from), to: monthDay(locale, season.to) })
}
