// dashboard.js draws the leaders' dashboard (领导驾驶舱) of the huitong
// console with Apache ECharts (vendor/echarts.min.js, embedded in the
// binary; see tools/assets.sh).
//
// The page holds a container with the figures' URL in data-src (or
// data-source) and six chart containers:
//   #chart-exchanges            exchanges per day per department (stacked bars)
//   #chart-top-resources        top requested and top read resources (horizontal bars)
//   #chart-approval-time        approval time buckets (bars), what waits now
//   #chart-grants-by-share-type grants by share type: live, expired, revoked (stacked bars)
//   #chart-quality-by-dept      data validity per provider department (horizontal bars)
//   #chart-denied               denied and failed attempts per day (lines), top reasons
// The URL answers the JSON of GET /api/v1/stats/dashboard. Labels are in
// Chinese, or English when the page's language starts with "en". Without
// ECharts each container gets a plain table of the same figures.
//
// No inline script, no outside URL: the page's CSP is default-src 'self'.
// Text from the data is only ever set with textContent or drawn by ECharts
// on a canvas, never parsed as HTML.
(function () {
  'use strict';

  var ZH = {
    exchanges: '交换次数', day: '日期', dept: '部门', total: '合计',
    requested: '申请次数', approved: '已批准', rejected: '已驳回', reads: '调用次数',
    topRequested: '申请最多的信息资源', topRead: '调用最多的信息资源', resource: '信息资源',
    bucket: '审批用时', decisions: '审批数',
    lt_1h: '1小时内', '1h_4h': '1-4小时', '4h_24h': '4-24小时', '1d_3d': '1-3天', '3d_7d': '3-7天', gt_7d: '7天以上',
    pendingNote: function (a) {
      var s = '待审批 ' + n(a.pending) + ' 件，待会签 ' + n(a.awaiting_countersign) + ' 件';
      if (a.oldest_pending_at) s += '，最久已等待 ' + hours(a.oldest_pending_hours, ZH);
      return s + '；无条件共享自动授权 ' + n(a.automatic) + ' 件（不计入上图）。';
    },
    hoursUnit: '小时', daysUnit: '天',
    shareType: '共享类型', unconditional: '无条件共享', conditional: '有条件共享', none: '不予共享',
    live: '有效', expired: '已过期', revoked: '已撤销',
    validity: '数据有效率（%）', rows: '行数', accepted: '通过', batches: '批次', resources: '资源数', checked: '有上传的资源',
    noData: '无上传', qualityNote: '有效率：统计期内各资源上传数据中通过校验的行数占比，按部门取资源平均值。',
    denied: '拒绝', failed: '失败', reason: '原因', action: '操作', count: '次数',
    topReasons: '主要原因：', noReason: '（未注明）',
    empty: '统计期内暂无数据', loading: '加载中…', error: '无法加载统计数据：',
    reasons: {
      no_grant: '无有效授权', field_not_granted: '信息项未授权', share_type_none: '不予共享', forbidden: '无权限',
      invalid_credentials: '账号或密码错误', account_locked: '账号已锁定', account_disabled: '账号已停用',
      not_provider: '非提供方', own_resource: '申请本部门资源', grant_expired: '授权已过期', grant_revoked: '授权已撤销',
      internal: '系统错误', audit_unavailable: '审计日志不可用', wrong_listener: '入口错误'
    }
  };
  var EN = {
    exchanges: 'Exchanges', day: 'Day', dept: 'Department', total: 'Total',
    requested: 'Requests', approved: 'Approved', rejected: 'Rejected', reads: 'Reads',
    topRequested: 'Most requested resources', topRead: 'Most read resources', resource: 'Resource',
    bucket: 'Time to decide', decisions: 'Decisions',
    lt_1h: '< 1 h', '1h_4h': '1-4 h', '4h_24h': '4-24 h', '1d_3d': '1-3 days', '3d_7d': '3-7 days', gt_7d: '> 7 days',
    pendingNote: function (a) {
      var s = n(a.pending) + ' waiting for the provider, ' + n(a.awaiting_countersign) + ' for countersignature';
      if (a.oldest_pending_at) s += '; the oldest has waited ' + hours(a.oldest_pending_hours, EN);
      return s + '; ' + n(a.automatic) + ' granted at once (unconditional, not shown above).';
    },
    hoursUnit: 'hours', daysUnit: 'days',
    shareType: 'Share type', unconditional: 'Unconditional', conditional: 'Conditional', none: 'Not shared',
    live: 'Live', expired: 'Expired', revoked: 'Revoked',
    validity: 'Valid rows (%)', rows: 'Rows', accepted: 'Accepted', batches: 'Batches', resources: 'Resources', checked: 'With uploads',
    noData: 'no uploads', qualityNote: 'Validity: the share of uploaded rows that passed the checks in the period, averaged over each department\'s resources.',
    denied: 'Denied', failed: 'Failed', reason: 'Reason', action: 'Action', count: 'Count',
    topReasons: 'Top reasons: ', noReason: '(none given)',
    empty: 'Nothing in this period', loading: 'Loading…', error: 'Cannot load the figures: ',
    reasons: {}
  };

  function n(x) { return Number(x || 0).toLocaleString(); }

  function hours(h, L) {
    return h >= 48 ? (Math.round(h / 24 * 10) / 10) + ' ' + L.daysUnit : h + ' ' + L.hoursUnit;
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  // note puts a line of text right after a chart's container, replacing
  // the one an earlier drawing left.
  function note(box, text) {
    var id = box.id + '-note';
    var old = document.getElementById(id);
    if (old) old.parentNode.removeChild(old);
    if (!text) return;
    var p = el('p', text, 'chart-note hint');
    p.id = id;
    box.parentNode.insertBefore(p, box.nextSibling);
  }

  function message(box, text, cls) {
    clear(box);
    box.appendChild(el('p', text, cls || 'chart-empty muted'));
  }

  // table draws rows of cells as a plain table: the fallback without
  // ECharts.
  function table(box, head, rows) {
    clear(box);
    if (!rows.length) {
      box.appendChild(el('p', L.empty, 'chart-empty muted'));
      return;
    }
    var wrap = el('div', null, 'table-wrap');
    var t = el('table', null, 'chart-table');
    var tr = el('tr');
    head.forEach(function (h) { var th = el('th', h); th.scope = 'col'; tr.appendChild(th); });
    t.appendChild(el('thead')).appendChild(tr);
    var tb = el('tbody');
    rows.forEach(function (r) {
      var row = el('tr');
      r.forEach(function (c) { row.appendChild(el('td', c)); });
      tb.appendChild(row);
    });
    t.appendChild(tb);
    wrap.appendChild(t);
    box.appendChild(wrap);
  }

  var L = ZH;
  var charts = [];

  // draw gives a container its chart, or its table without ECharts.
  function draw(id, minHeight, option, fallback) {
    var box = document.getElementById(id);
    if (!box) return;
    if (!option) {
      message(box, L.empty);
      return;
    }
    if (!window.echarts) {
      box.style.height = 'auto'; // a table takes the room it needs
      fallback(box);
      return;
    }
    clear(box);
    if (box.clientHeight < minHeight) box.style.height = minHeight + 'px';
    var chart = window.echarts.getInstanceByDom(box) || window.echarts.init(box, null, { renderer: 'canvas' });
    option.animation = option.animation !== undefined ? option.animation : !reducedMotion();
    // Rich-text tooltips are drawn on the canvas: HTML ones would carry
    // inline styles, which the CSP refuses.
    if (option.tooltip) option.tooltip.renderMode = 'richText';
    chart.setOption(option, true);
    charts.push(chart);
  }

  function reducedMotion() {
    return window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  }

  function short(day) { return day.slice(5); } // 2026-03-08 -> 03-08

  function clip(s, max) { s = String(s || ''); return s.length > max ? s.slice(0, max - 1) + '…' : s; }

  function legend(extra) {
    var o = { type: 'scroll', bottom: 0 };
    for (var k in extra) o[k] = extra[k];
    return o;
  }

  function exchanges(d) {
    var ex = d.exchanges;
    if (!ex.total) return draw('chart-exchanges', 0, null);
    draw('chart-exchanges', 320, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: legend(),
      grid: { left: 8, right: 16, top: 24, bottom: 40, containLabel: true },
      xAxis: { type: 'category', data: ex.days.map(short), name: L.day, nameLocation: 'end' },
      yAxis: { type: 'value', name: L.exchanges, nameTextStyle: { align: 'left' }, minInterval: 1 },
      series: ex.orgs.map(function (o) {
        return { name: o.name || o.uscc, type: 'bar', stack: 'exchanges', data: o.counts, emphasis: { focus: 'series' } };
      })
    }, function (box) {
      // One row per day with exchanges, departments listed in it: a row
      // per department with a column per day would not fit a screen.
      var rows = [];
      ex.days.forEach(function (day, i) {
        var total = 0, parts = [];
        ex.orgs.forEach(function (o) {
          if (o.counts[i]) {
            total += o.counts[i];
            parts.push((o.name || o.uscc) + ' ' + n(o.counts[i]));
          }
        });
        if (total) rows.push([day, n(total), parts.join(L === EN ? '; ' : '；')]);
      });
      table(box, [L.day, L.total, L.dept], rows);
    });
  }

  function topResources(d) {
    var name = function (r) { return clip(r.resource_name || r.resource_code, 16); };
    // One panel per list that has rows, one above the other, each as tall
    // as its bars need; the largest bar at the top.
    var panels = [];
    if (d.top_requested.length) {
      var req = d.top_requested.slice().reverse();
      panels.push({ title: L.topRequested, cats: req.map(name), series: [
        { name: L.requested, type: 'bar', data: req.map(function (r) { return r.requests; }) },
        { name: L.approved, type: 'bar', data: req.map(function (r) { return r.approved; }) }
      ] });
    }
    if (d.top_read.length) {
      var read = d.top_read.slice().reverse();
      panels.push({ title: L.topRead, cats: read.map(name), series: [
        { name: L.reads, type: 'bar', data: read.map(function (r) { return r.reads; }) }
      ] });
    }
    if (!panels.length) return draw('chart-top-resources', 0, null);
    var option = { tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } }, legend: { top: 0 },
      title: [], grid: [], xAxis: [], yAxis: [], series: [] };
    var y = 28;
    panels.forEach(function (p, i) {
      var h = 24 + p.cats.length * (p.series.length > 1 ? 30 : 22);
      option.title.push({ text: p.title, left: 0, top: y, textStyle: { fontSize: 13, fontWeight: 'normal' } });
      option.grid.push({ left: 8, right: 32, top: y + 24, height: h, containLabel: true });
      option.xAxis.push({ type: 'value', gridIndex: i, minInterval: 1 });
      option.yAxis.push({ type: 'category', gridIndex: i, data: p.cats });
      p.series.forEach(function (s) {
        s.xAxisIndex = i;
        s.yAxisIndex = i;
        option.series.push(s);
      });
      y += 24 + h + 28;
    });
    draw('chart-top-resources', y, option, function (box) {
      clear(box);
      var a = el('div'), b = el('div');
      box.appendChild(a);
      box.appendChild(b);
      table(a, [L.topRequested, L.requested, L.approved, L.rejected], d.top_requested.map(function (r) {
        return [r.resource_name || r.resource_code, n(r.requests), n(r.approved), n(r.rejected)];
      }));
      table(b, [L.topRead, L.reads], d.top_read.map(function (r) {
        return [r.resource_name || r.resource_code, n(r.reads)];
      }));
    });
  }

  function approvalTime(d) {
    var a = d.approval_time;
    var box = document.getElementById('chart-approval-time');
    if (box) note(box, L.pendingNote(a));
    if (!a.decided) return draw('chart-approval-time', 0, null);
    draw('chart-approval-time', 300, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 16, top: 28, bottom: 8, containLabel: true },
      xAxis: { type: 'category', name: L.bucket, nameLocation: 'middle', nameGap: 28, data: a.buckets.map(function (b) { return L[b.key] || b.key; }) },
      yAxis: { type: 'value', name: L.decisions, nameTextStyle: { align: 'left' }, minInterval: 1 },
      series: [{ name: L.decisions, type: 'bar', data: a.buckets.map(function (b) { return b.count; }), label: { show: true, position: 'top' } }]
    }, function (box) {
      table(box, [L.bucket, L.decisions], a.buckets.map(function (b) { return [L[b.key] || b.key, n(b.count)]; }));
    });
  }

  function grants(d) {
    var g = d.grants_by_share_type;
    if (!g.length) return draw('chart-grants-by-share-type', 0, null);
    var label = function (x) { return L[x.share_type] || x.share_type; };
    var series = ['live', 'expired', 'revoked'].map(function (k) {
      return { name: L[k], type: 'bar', stack: 'grants', data: g.map(function (x) { return x[k]; }), emphasis: { focus: 'series' } };
    });
    draw('chart-grants-by-share-type', 280, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: legend(),
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: { type: 'category', data: g.map(label) },
      yAxis: { type: 'value', minInterval: 1 },
      series: series
    }, function (box) {
      table(box, [L.shareType, L.live, L.expired, L.revoked], g.map(function (x) {
        return [label(x), n(x.live), n(x.expired), n(x.revoked)];
      }));
    });
  }

  function quality(d) {
    var q = d.quality_by_org.slice();
    var box = document.getElementById('chart-quality-by-dept');
    if (box) note(box, L.qualityNote);
    if (!q.length) return draw('chart-quality-by-dept', 0, null);
    // Best first, from the top; departments without uploads at the bottom.
    q.sort(function (a, b) {
      var x = a.validity === null ? -1 : a.validity, y = b.validity === null ? -1 : b.validity;
      return x - y;
    });
    draw('chart-quality-by-dept', Math.max(280, 60 + q.length * 26), {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 48, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: 'value', min: 0, max: 100, name: L.validity, nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'category', data: q.map(function (o) { return clip(o.name || o.uscc, 14); }) },
      series: [{
        name: L.validity, type: 'bar',
        // A department without uploads gets an empty bar that says so.
        data: q.map(function (o) {
          return o.validity === null ? { value: 0, label: { formatter: L.noData } } : o.validity;
        }),
        label: { show: true, position: 'right', formatter: '{c}%' }
      }]
    }, function (box) {
      table(box, [L.dept, L.validity, L.resources, L.checked, L.batches, L.rows, L.accepted], d.quality_by_org.map(function (o) {
        return [o.name || o.uscc, o.validity === null ? L.noData : o.validity, n(o.resources), n(o.checked), n(o.batches), n(o.rows), n(o.accepted)];
      }));
    });
  }

  function reasonLabel(k) {
    if (!k) return L.noReason;
    return L.reasons[k] ? L.reasons[k] + ' (' + k + ')' : k;
  }

  function refusals(d) {
    var r = d.refusals;
    var box = document.getElementById('chart-denied');
    if (box) {
      note(box, r.reasons.length ? L.topReasons + r.reasons.slice(0, 5).map(function (x) {
        return reasonLabel(x.key) + ' × ' + n(x.count);
      }).join(L === EN ? '; ' : '；') : '');
    }
    if (!r.total) return draw('chart-denied', 0, null);
    draw('chart-denied', 300, {
      tooltip: { trigger: 'axis' },
      legend: legend(),
      grid: { left: 8, right: 16, top: 24, bottom: 40, containLabel: true },
      xAxis: { type: 'category', boundaryGap: false, data: r.days.map(short) },
      yAxis: { type: 'value', minInterval: 1, name: L.count, nameTextStyle: { align: 'left' } },
      series: [
        { name: L.denied, type: 'line', data: r.denied, smooth: false, symbolSize: 6 },
        { name: L.failed, type: 'line', data: r.failed, smooth: false, symbolSize: 6 }
      ]
    }, function (box) {
      clear(box);
      var a = el('div'), b = el('div'), c = el('div');
      [a, b, c].forEach(function (x) { box.appendChild(x); });
      var rows = [];
      r.days.forEach(function (day, i) {
        if (r.denied[i] || r.failed[i]) rows.push([day, n(r.denied[i]), n(r.failed[i])]);
      });
      table(a, [L.day, L.denied, L.failed], rows);
      table(b, [L.reason, L.count], r.reasons.map(function (x) { return [reasonLabel(x.key), n(x.count)]; }));
      table(c, [L.action, L.count], r.actions.map(function (x) { return [x.key, n(x.count)]; }));
    });
  }

  var IDS = ['chart-exchanges', 'chart-top-resources', 'chart-approval-time', 'chart-grants-by-share-type', 'chart-quality-by-dept', 'chart-denied'];

  function render(d) {
    charts.forEach(function (c) { c.dispose(); });
    charts = [];
    exchanges(d);
    topResources(d);
    approvalTime(d);
    grants(d);
    quality(d);
    refusals(d);
  }

  function fail(text) {
    IDS.forEach(function (id) {
      var box = document.getElementById(id);
      if (box) message(box, L.error + text, 'chart-empty error');
    });
  }

  // source finds the figures' URL: data-src or data-source on the
  // dashboard container or any chart container. A days parameter in the
  // page's own URL is passed on.
  function source() {
    var holder = document.querySelector('[data-src],[data-source]');
    if (!holder) return '';
    var url = holder.getAttribute('data-src') || holder.getAttribute('data-source');
    var days = new URLSearchParams(window.location.search).get('days');
    if (days && /^\d{1,3}$/.test(days) && !/[?&]days=/.test(url)) {
      url += (url.indexOf('?') < 0 ? '?' : '&') + 'days=' + days;
    }
    return url;
  }

  function language() {
    var holder = document.querySelector('[data-lang]');
    var lang = (holder && holder.getAttribute('data-lang')) || document.documentElement.lang || '';
    return lang.toLowerCase().indexOf('en') === 0 ? EN : ZH;
  }

  function start() {
    L = language();
    var url = source();
    if (!url) return;
    IDS.forEach(function (id) {
      var box = document.getElementById(id);
      if (box && !box.firstChild) message(box, L.loading);
    });
    fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (res) {
        return res.json().then(function (body) {
          if (!res.ok) {
            var e = body && body.error;
            throw new Error(e ? (L === EN ? e.message_en : e.message) || e.code : String(res.status));
          }
          return body;
        }, function () { throw new Error(String(res.status)); });
      })
      .then(render)
      .catch(function (err) { fail(err.message); });

    var pending = false;
    window.addEventListener('resize', function () {
      if (pending) return;
      pending = true;
      window.requestAnimationFrame(function () {
        pending = false;
        charts.forEach(function (c) { c.resize(); });
      });
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
