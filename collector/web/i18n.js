// SPDX-License-Identifier: BSD-2-Clause
// The dashboard's words in Chinese (zh-CN) and English.  The language is
// the one saved by the switch, else the browser's (navigator.languages),
// else English.  Elements carry data-i18n (text), data-i18n-ph
// (placeholder) or data-i18n-title (title); the rest is drawn with t().
'use strict';

const EG_WORDS = {
  en: {
    title: 'egnet NOC', brand: 'NOC', open_outages: 'Open outages', last_update: 'Last update',
    language: 'Language', coverage_grid: 'Coverage by region', tree: 'Tree',
    search_ph: 'Search code or name', outages: 'Outages and events',
    region: 'Region', type: 'Type', all: 'All', open_now: 'Open now',
    closed_day: 'Closed in the last day', events: 'Recent events', close: 'Close',
    province: 'Province', city: 'City', county: 'County', township: 'Township',
    village: 'Village', provinces: 'province', cities: 'cities', counties: 'counties',
    townships: 'townships', villages: 'villages',
    connected: 'connected', degraded: 'degraded', unconfirmed: 'unconfirmed',
    unreachable: 'unreachable', isolated: 'isolated', silent: 'silent', never: 'never seen',
    ingest: 'Ingest', rejects: 'Rejects', store: 'Store', per_s: '/s',
    store_ok: 'OK', store_bad: 'failing', queue: 'queue',
    root: 'Root', since: 'Since', cut_off: 'Cut off', state: 'State', closed: 'Closed',
    time: 'Time', node: 'Node', subject: 'Subject', text: 'Text',
    none: 'None', back: 'All cities', region_col: 'Region',
    cut_marker: 'outage: {n} cut off', descendants: 'below',
    links: 'Links', link: 'Link', role: 'Role', zone: 'Zone', rx: 'Receive', tx: 'Transmit',
    drops: 'Drops by reason', reason: 'Reason', packets: 'Packets', bytes: 'Bytes',
    targets: 'Probe targets', target: 'Target', relation: 'Relation',
    rtt: 'RTT', loss: 'Loss', jitter: 'Jitter', ms: 'ms',
    profile: 'Profile', apply: 'Apply', drift: 'Drift', last_report: 'Last report',
    hour: 'Last hour', day: 'Last day', traffic: 'Traffic',
    no_data: 'No stored points in this period', no_report: 'No report yet',
    village_note: 'A village runs no agent: its township\'s probes of it.',
    parent: 'parent', child: 'child', vill: 'village',
    yes: 'yes', no: 'no', level: 'Level', code: 'Code', name: 'Name',
    results_none: 'No node matches', more: '{n} more…',
    conn_lost: 'The collector does not answer: {e}', ago: '{n} s ago',
    'agent-seen': 'agent seen', 'agent-restart': 'agent restart', 'link-up': 'link up',
    'link-down': 'link down', 'target-up': 'target up', 'target-down': 'target down',
    'drift-found': 'drift found', 'drift-cleared': 'drift cleared', 'apply-ok': 'apply ok',
    'apply-failed': 'apply failed', 'outage-open': 'outage opened', 'outage-close': 'outage closed',
  },
  'zh-CN': {
    title: 'egnet 网络运行监控', brand: '网络运行监控', open_outages: '未恢复故障', last_update: '最近更新',
    language: '语言', coverage_grid: '各地区覆盖率', tree: '五级网络',
    search_ph: '按编码或名称搜索', outages: '故障与事件',
    region: '地区', type: '类型', all: '全部', open_now: '当前故障',
    closed_day: '最近一天已恢复', events: '最近事件', close: '关闭',
    province: '省', city: '市', county: '县（区）', township: '乡镇（街道）',
    village: '村（社区）', provinces: '省', cities: '市', counties: '县区',
    townships: '乡镇', villages: '村社区',
    connected: '连通', degraded: '降级', unconfirmed: '待确认',
    unreachable: '不可达', isolated: '被隔离', silent: '无上报', never: '从未上线',
    ingest: '接收', rejects: '拒绝', store: '存储', per_s: '/秒',
    store_ok: '正常', store_bad: '故障', queue: '队列',
    root: '故障根节点', since: '开始时间', cut_off: '受影响', state: '状态', closed: '恢复时间',
    time: '时间', node: '节点', subject: '对象', text: '内容',
    none: '无', back: '全部市', region_col: '地区',
    cut_marker: '故障：影响 {n} 个', descendants: '下级',
    links: '链路', link: '链路', role: '角色', zone: '区域', rx: '接收', tx: '发送',
    drops: '丢包原因', reason: '原因', packets: '包数', bytes: '字节',
    targets: '探测目标', target: '目标', relation: '关系',
    rtt: '往返时延', loss: '丢包率', jitter: '抖动', ms: '毫秒',
    profile: '配置模板', apply: '下发状态', drift: '配置漂移', last_report: '最近上报',
    hour: '最近一小时', day: '最近一天', traffic: '流量',
    no_data: '此时段没有存储的数据点', no_report: '尚无上报',
    village_note: '村（社区）不运行代理：显示乡镇对其的探测。',
    parent: '上级', child: '下级', vill: '村社区',
    yes: '是', no: '否', level: '级别', code: '编码', name: '名称',
    results_none: '没有匹配的节点', more: '还有 {n} 个…',
    conn_lost: '采集器无响应：{e}', ago: '{n} 秒前',
    'agent-seen': '代理上线', 'agent-restart': '代理重启', 'link-up': '链路恢复',
    'link-down': '链路中断', 'target-up': '目标可达', 'target-down': '目标不可达',
    'drift-found': '发现漂移', 'drift-cleared': '漂移已消除', 'apply-ok': '下发成功',
    'apply-failed': '下发失败', 'outage-open': '故障发生', 'outage-close': '故障恢复',
  },
};

const EG_LEVELS = ['province', 'city', 'county', 'township', 'village'];
const EG_STATES = ['connected', 'degraded', 'unconfirmed', 'unreachable', 'isolated',
  'silent', 'never'];

let egLang = 'en';

function egPickLang() {
  let saved = null;
  try { saved = localStorage.getItem('egnet.lang'); } catch (e) { /* private mode */ }
  if (saved && EG_WORDS[saved]) return saved;
  const langs = navigator.languages && navigator.languages.length ?
    navigator.languages : [navigator.language || 'en'];
  for (const l of langs) {
    const low = String(l).toLowerCase();
    if (low.startsWith('zh')) return 'zh-CN';
    if (low.startsWith('en')) return 'en';
  }
  return 'en';
}

// The word @k in the current language, {n}-style fields from @args.
function t(k, args) {
  let s = (EG_WORDS[egLang] && EG_WORDS[egLang][k]) || EG_WORDS.en[k] || k;
  if (args) s = s.replace(/\{(\w+)\}/g, (m, n) => (n in args ? String(args[n]) : m));
  return s;
}

function egApplyLang(lang, save) {
  egLang = EG_WORDS[lang] ? lang : 'en';
  if (save) {
    try { localStorage.setItem('egnet.lang', egLang); } catch (e) { /* ignore */ }
  }
  document.documentElement.lang = egLang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-ph]')) el.placeholder = t(el.dataset.i18nPh);
  for (const el of document.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
}
