// A hall's opening hours (办公时间): how the public and the console show them, and the
// administrators' schedule editor (components/hours/).
export default {
  'zh-CN': {
    hours: {
      title: '办公时间', none: '未公布办公时间', closesAt: '工作日 {time} 下班', restDay: '休息',
      weekdays: ['', '周一', '周二', '周三', '周四', '周五', '周六', '周日'], through: '至', lunch: '午休 {from}–{to}',
      season: '{from}—{to}', allYear: '全年',
      note: '工作日下班后、不办公之日收到的申请，视为下一个工作日收件；周六（含周六照常办公的大厅）、节假日收件，同样视为下一个工作日收件。午休及上班前收到的，仍为当日收件。',
      edit: {
        button: '办公时间', dialog: '设置办公时间：{hall}', lead: '按季节设置作息（如夏季 5月1日—9月30日、冬季 10月1日—4月30日），各季节合起来覆盖全年且不重叠。每条规则适用于所选的星期几，可设午休。未设规则的星期几不办公。',
        template: '填入夏冬两季示例', addSeason: '新增季节', removeSeason: '删除季节', addRule: '新增规则', removeRule: '删除规则',
        seasonName: '季节名称', from: '起始日', to: '截止日', weekdays: '适用星期', opens: '上班', closes: '下班',
        lunch: '午休', lunchFrom: '午休开始', lunchTo: '午休结束', rule: '规则 {n}', seasonN: '季节 {n}',
        clear: '清除办公时间', saved: '办公时间已保存', cleared: '已清除办公时间', simpleNow: '当前仅设置了下班时间 {time}；保存办公时间表将取代它。',
        where: '位置：{where}',
      },
    },
  },
  en: {
    hours: {
      title: 'Opening hours', none: 'No opening hours published', closesAt: 'Working days until {time}', restDay: 'closed',
      weekdays: ['', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'], through: '–', lunch: 'lunch {from}–{to}',
      season: '{from} – {to}', allYear: 'All year',
      note: 'What arrives after closing on a working day, or on a working day the hall does not open, counts as received on the next working day; so does what arrives on a Saturday (even at a hall open on Saturdays) or a holiday. What arrives at lunch or before opening counts that day.',
      edit: {
        button: 'Hours', dialog: 'Opening hours: {hall}', lead: 'Set the hours by season (e.g. summer 1 May – 30 Sep, winter 1 Oct – 30 Apr); together the seasons cover the year once. Each rule applies to the weekdays chosen and may have a lunch break. A weekday without a rule is closed.',
        template: 'Fill in a summer/winter example', addSeason: 'Add season', removeSeason: 'Remove season', addRule: 'Add rule', removeRule: 'Remove rule',
        seasonName: 'Season name', from: 'From', to: 'To', weekdays: 'Weekdays', opens: 'Opens', closes: 'Closes',
        lunch: 'Lunch break', lunchFrom: 'Lunch from', lunchTo: 'Lunch until', rule: 'Rule {n}', seasonN: 'Season {n}',
        clear: 'Clear the hours', saved: 'Opening hours saved', cleared: 'Opening hours cleared', simpleNow: 'Only a closing time ({time}) is set; saving a schedule replaces it.',
        where: 'Where: {where}',
      },
    },
  },
}
