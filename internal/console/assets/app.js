// huitong console: small enhancements over server-rendered pages. Every
// page works without this file; it adds the collapsible nav, field rows
// added and removed in place, "all/none" for checkbox groups, and upload
// progress and copy buttons. No framework, no outside URL, no inline
// script (CSP).
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function onReady(fn) {
    if (document.readyState !== 'loading') fn();
    else document.addEventListener('DOMContentLoaded', fn);
  }

  // The nav collapses behind a button on narrow screens.
  function nav() {
    var btn = document.querySelector('[data-nav-toggle]');
    var menu = document.getElementById('nav');
    if (!btn || !menu) return;
    btn.addEventListener('click', function () {
      var open = btn.getAttribute('aria-expanded') === 'true';
      btn.setAttribute('aria-expanded', open ? 'false' : 'true');
      menu.classList.toggle('open', !open);
    });
  }

  // Buttons with data-check-all="name" / data-check-none="name" tick or
  // untick the checkboxes of that name in their form.
  function checkGroups() {
    document.addEventListener('click', function (ev) {
      var b = ev.target.closest('[data-check-all],[data-check-none]');
      if (!b) return;
      ev.preventDefault();
      var all = b.hasAttribute('data-check-all');
      var name = b.getAttribute(all ? 'data-check-all' : 'data-check-none');
      b.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (c) { c.checked = all; });
    });
  }

  // Field rows of the resource form: add from the <template>, remove in
  // place, and number them so that names stay fields[0..n-1].
  function fieldRows() {
    var form = document.querySelector('[data-resource-form]');
    var list = form && form.querySelector('[data-field-rows]');
    var tpl = document.getElementById('field-row-template');
    if (!list || !tpl) return;
    function renumber() {
      list.querySelectorAll('[data-field-row]').forEach(function (row, i) {
        row.querySelectorAll('[name],[id],[for]').forEach(function (el) {
          ['name', 'id', 'for'].forEach(function (a) {
            var v = el.getAttribute(a);
            if (!v) return;
            v = v.replace(/^fields\[(\d+|__i__)\]\./, 'fields[' + i + '].').replace(/^f(\d+|__i__)-/, 'f' + i + '-');
            el.setAttribute(a, v);
          });
        });
        var rm = row.querySelector('[data-remove-field]');
        if (rm) rm.value = String(i);
      });
    }
    form.addEventListener('click', function (ev) {
      var add = ev.target.closest('[data-add-field]');
      var rm = ev.target.closest('[data-remove-field]');
      if (add) {
        ev.preventDefault();
        var node = tpl.content.firstElementChild.cloneNode(true);
        list.appendChild(node);
        renumber();
        var first = node.querySelector('input');
        if (first) first.focus();
      } else if (rm) {
        ev.preventDefault();
        var row = rm.closest('[data-field-row]');
        var next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        renumber();
        var focus = next ? next.querySelector('input') : form.querySelector('[data-add-field]');
        if (focus) focus.focus();
      }
    });
  }

  // Uploads go by XMLHttpRequest to show progress; the server answers as
  // for the plain form: a redirect to the batch report, or the page with
  // the error, whose message replaces the form's.
  function upload() {
    var form = document.querySelector('form[data-upload]');
    if (!form || !window.FormData) return;
    var bar = form.querySelector('[data-progress]');
    var text = form.querySelector('[data-progress-text]');
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var btn = form.querySelector('button[type=submit]');
      var xhr = new XMLHttpRequest();
      xhr.open('POST', form.action);
      xhr.setRequestHeader('X-Requested-With', 'XMLHttpRequest');
      if (bar) { bar.hidden = false; bar.value = 0; }
      if (btn) btn.disabled = true;
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        var pct = Math.round(100 * e.loaded / e.total);
        if (bar) bar.value = pct;
        if (text) text.textContent = pct + '%';
      };
      xhr.upload.onload = function () {
        if (text) text.textContent = text.getAttribute('data-checking') || '…';
      };
      xhr.onload = function () {
        if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf('/console/batches/') >= 0) {
          window.location.assign(xhr.responseURL);
          return;
        }
        var doc = new DOMParser().parseFromString(xhr.responseText, 'text/html');
        var fresh = doc.querySelector('[data-form-errors]');
        var here = document.querySelector('[data-form-errors]');
        if (fresh && here) {
          here.innerHTML = fresh.innerHTML;
          here.scrollIntoView();
        } else {
          document.documentElement.innerHTML = doc.documentElement.innerHTML;
        }
        if (btn) btn.disabled = false;
        if (bar) bar.hidden = true;
        if (text) text.textContent = '';
      };
      xhr.onerror = function () {
        if (btn) btn.disabled = false;
        if (text) text.textContent = '✗';
      };
      xhr.send(new FormData(form));
    });
  }

  // Buttons with data-copy="id" copy the text of that element (a
  // credential) to the clipboard; they show only where script runs.
  function copyButtons() {
    document.querySelectorAll('[data-copy]').forEach(function (b) {
      var src = document.getElementById(b.getAttribute('data-copy'));
      if (!src) return;
      b.hidden = false;
      var label = b.textContent;
      b.addEventListener('click', function () {
        var done = function () {
          b.textContent = b.getAttribute('data-copied') || label;
          setTimeout(function () { b.textContent = label; }, 2000);
        };
        var text = src.value || src.textContent;
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(text).then(done, function () { src.select(); });
        } else {
          src.focus();
          src.select();
          try { if (document.execCommand('copy')) done(); } catch (e) { /* selected for a manual copy */ }
        }
      });
    });
  }

  onReady(function () {
    nav();
    copyButtons();
    checkGroups();
    fieldRows();
    upload();
  });
})();
