// English counts take the singular for one: "1 working day", "3 working days" (vue-i18n plural
// forms, "singular | plural"); Chinese has one form. The messages are the console's own files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { createI18n } from 'vue-i18n'

// (errors.js reads errors.json, which node imports only with an attribute Vite does not need: not counts)
const dir = new URL('../src/i18n/messages/', import.meta.url)
const messages = { 'zh-CN': {}, en: {} }
for (const name of readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'errors.js')) {
  const module = await import(new URL(name, dir))
  for (const lang of Object.keys(messages)) Object.assign(messages[lang], module.default[lang] || {})
}
const i18n = createI18n({ legacy: false, locale: 'en', fallbackLocale: 'zh-CN', messages, missingWarn: false, fallbackWarn: false })
const { t } = i18n.global
const inLocale = (lang, fn) => { i18n.global.locale.value = lang; try { return fn() } finally { i18n.global.locale.value = 'en' } }

test('a deadline tag says 1 working day and 3 working days', () => {
  assert.equal(t('wb.due.left', { n: 1 }, 1), '1 working day left')
  assert.equal(t('wb.due.left', { n: 3 }, 3), '3 working days left')
  assert.equal(t('wb.due.overdue', { n: 1 }, 1), 'Overdue by 1 working day')
  assert.equal(t('wb.due.overdue', { n: 2 }, 2), 'Overdue by 2 working days')
  assert.equal(t('common.workdays', { n: 1 }, 1), '1 working day')
  assert.equal(t('common.workdays', { n: 3 }, 3), '3 working days')
})

test('an item promised in 1 working day, a limit of 3 calendar days', () => {
  assert.equal(t('landing.promise', { n: 1, unit: t('label.unit.workday', 1) }), 'Promised in 1 working day')
  assert.equal(t('landing.promise', { n: 3, unit: t('label.unit.workday', 3) }), 'Promised in 3 working days')
  assert.equal(t('guide.limitValue', { n: 1, unit: t('label.unit.calendar_day', 1) }), '1 calendar day')
  assert.equal(t('guide.limitValue', { n: 20, unit: t('label.unit.calendar_day', 20) }), '20 calendar days')
})

test('an extension of 1 working day in the timeline', () => {
  const params = { actor: '王', amount: 1, reason: '现场核查' }
  assert.equal(t('wb.ev.clock_extended', params, 1), '王 extended the limit by 1 working day: 现场核查')
  assert.equal(t('wb.ev.clock_extended', { ...params, amount: 5 }, 5), '王 extended the limit by 5 working days: 现场核查')
})

test('one item, one task, one case, one copy, one star, one upload', () => {
  for (const [key, one, three] of [
    ['guide.count', '1 item', '3 items'], ['wb.inbox.total', '1 task', '3 tasks'], ['heatmap.cases', '1 case', '3 cases'],
    ['guide.copies', '1 copy', '3 copies'], ['ratings.stars', '1 star', '3 stars'],
    ['wb.mat.unverifiedN', '1 upload waits for verification', '3 uploads wait for verification']]) {
    assert.equal(t(key, { n: 1 }, 1), one)
    assert.equal(t(key, { n: 3 }, 3), three)
  }
  assert.match(t('migration.confirmText', { n: 1, from: 1, to: 2 }, 1), /^1 case will move from v1 to v2\. /)
  assert.match(t('migration.confirmText', { n: 2, from: 1, to: 2 }, 2), /^2 cases will move from v1 to v2\. /)
})

test('Chinese has one form whatever the count', () => {
  inLocale('zh-CN', () => {
    assert.equal(t('wb.due.left', { n: 1 }, 1), '剩 1 个工作日')
    assert.equal(t('wb.due.left', { n: 3 }, 3), '剩 3 个工作日')
    assert.equal(t('landing.promise', { n: 1, unit: t('label.unit.workday', 1) }), '承诺 1个工作日')
  })
})

test('no English message counts {n} days without a singular form', () => {
  const bare = []
  const walk = (node, path) => {
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'object' && value !== null) walk(value, `${path}${key}.`)
      else if (typeof value === 'string' && /\{(n|amount)\} (working |calendar )?days\b/.test(value) && !value.includes('|')) bare.push(path + key)
    }
  }
  walk(messages.en, '')
  assert.deepEqual(bare, [])
})
