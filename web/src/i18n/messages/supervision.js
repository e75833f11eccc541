export default {
  'zh-CN': {
    supervision: {
      title: '电子监察', nav: '电子监察', unit: '监察范围', notSupervisor: '您没有监察岗位。', redCases: '红牌办件', yellowCases: '黄牌办件',
      redSteps: '红牌环节', yellowSteps: '黄牌环节', cardedCases: '红黄牌办件', channels: '办理渠道', csv: '下载 CSV（Excel 可打开）',
      noCases: '没有亮牌的办件', card: '亮牌', number: '办件编号', item: '事项', receivedAt: '收件单位', promiseDue: '承诺办结日',
      tier: '层级', items: '事项数', noTarget: '不设目标', met: '达标', notMet: '未达标',
      warning: { red: '红牌', yellow: '黄牌', none: '正常' },
      measure: { online: '网上可办', mobile: '掌上可办', mail: '可邮寄', depth3: 'Ⅲ级及以上' },
    },
  },
  en: {
    supervision: {
      title: 'Supervision', nav: 'Supervision', unit: 'Scope', notSupervisor: 'You hold no supervisor post.', redCases: 'Red cases', yellowCases: 'Yellow cases',
      redSteps: 'Red steps', yellowSteps: 'Yellow steps', cardedCases: 'Carded cases', channels: 'Channels', csv: 'Download CSV (opens in Excel)',
      noCases: 'No carded case', card: 'Card', number: 'Case number', item: 'Item', receivedAt: 'Received at', promiseDue: 'Promised by',
      tier: 'Tier', items: 'Items', noTarget: 'no target', met: 'met', notMet: 'not met',
      warning: { red: 'Red', yellow: 'Yellow', none: 'On time' },
      measure: { online: 'Online', mobile: 'Mobile', mail: 'By mail', depth3: 'Depth ≥ Ⅲ' },
    },
  },
}
