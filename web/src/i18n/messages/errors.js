// Every error code the API returns, in both languages (web/src/i18n/errors.json: code → [zh-CN, en]);
// tests/unit/test_error_translations.py checks that every code raised by the engine is here.
import table from '../errors.json'

const pick = (i) => Object.fromEntries(Object.entries(table).map(([code, texts]) => [code, texts[i]]))
export default { 'zh-CN': { errors: pick(0) }, en: { errors: pick(1) } }
