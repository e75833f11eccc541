export default {
  'zh-CN': {
    app: { name: '联办', tagline: '四级联动 · 一窗通办', guide: '办事指南', portal: '网上办事', workbench: '窗口工作台',
      home: '首页', login: '登录', logout: '退出', language: 'English', skip: '跳到正文', menu: '菜单',
      footer: '联办政务服务平台 · 工作日按国务院办公厅节假日安排计算' },
    common: { none: '—', yes: '是', no: '否', open: '查看', cancel: '取消', confirm: '确定', submit: '提交', save: '保存',
      search: '查询', reset: '重置', loading: '加载中…', back: '返回', refresh: '刷新', workdays: '{n} 个工作日',
      overdue: '已超期 {n} 个工作日', dueToday: '今日到期', done: '操作成功', required: '必填',
      paren: '（{text}）', labelled: '{label}：{text}' },
    login: { title: '登录联办', username: '用户名', password: '密码', submit: '登录', staffHint: '窗口工作人员与申请人使用同一入口',
      usernameRequired: '请输入用户名', passwordRequired: '请输入密码' },
  },
  en: {
    app: { name: 'Lianban', tagline: 'Four tiers, one window', guide: 'Service guide', portal: 'Apply online', workbench: 'Window workbench',
      home: 'Home', login: 'Log in', logout: 'Log out', language: '中文', skip: 'Skip to content', menu: 'Menu',
      footer: 'Lianban government services · working days follow the State Council holiday schedule' },
    common: { none: '—', yes: 'yes', no: 'no', open: 'Open', cancel: 'Cancel', confirm: 'OK', submit: 'Submit', save: 'Save',
      search: 'Search', reset: 'Reset', loading: 'Loading…', back: 'Back', refresh: 'Refresh', workdays: '{n} working day | {n} working days',
      overdue: 'Overdue by {n} working day | Overdue by {n} working days', dueToday: 'Due today', done: 'Done', required: 'Required',
      paren: ' ({text})', labelled: '{label}: {text}' },
    login: { title: 'Log in to Lianban', username: 'Username', password: 'Password', submit: 'Log in', staffHint: 'Window staff and applicants use the same entrance',
      usernameRequired: 'Enter your username', passwordRequired: 'Enter your password' },
  },
}
