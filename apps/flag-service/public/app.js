/* global document, window, EventSource, confirm */
// The Switchyard flag service page: flag list, flag editor, create form, live events.
// Plain DOM, no framework. Data is only ever written with textContent / attributes, never innerHTML.

const TOKEN_KEY = 'switchyard-admin-token';
const MAX_EVENTS = 50;

const $ = (id) => document.getElementById(id);
const arr = (x) => (Array.isArray(x) ? x : []);
const obj = (x) => (x && typeof x === 'object' && !Array.isArray(x) ? x : {});
const clone = (x) => JSON.parse(JSON.stringify(x));

/** JSON text of a value for labels, shortened when long. */
function json(value, max = 80) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Creates an element: el('div', { class: 'x', 'data-testid': 'y' }, child, 'text', ...). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else if (name === 'value' || name === 'checked' || name === 'disabled') node[name] = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

// ---------------------------------------------------------------------------------------------
// State

const state = { flags: {}, segments: {}, tokenRequired: false };
const editor = {
  key: null, // key of the open flag
  draft: null, // deep copy of that flag, edited by the form
  dirty: false, // form edited since load/save
  rawDirty: false, // raw JSON textarea edited since load/save
  stash: new WeakMap(), // serve object -> its last rollout, so switching back keeps the weights
};

// ---------------------------------------------------------------------------------------------
// Errors: one alert element, shown next to whatever failed (editor, create form, or the top banner)

const errorBox = el('div', { class: 'error', role: 'alert', 'data-testid': 'error', title: 'Click to dismiss', hidden: true });
errorBox.addEventListener('click', () => clearError());

function showError(message, slot = $('banner-slot')) {
  errorBox.textContent = message;
  errorBox.hidden = false;
  if (slot && errorBox.parentElement !== slot) slot.append(errorBox);
  errorBox.scrollIntoView({ block: 'nearest' });
}

function clearError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

// ---------------------------------------------------------------------------------------------
// API

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

/** Calls the JSON API; throws an Error carrying the server's `error` message (and `status`). */
async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token()) headers.Authorization = `Bearer ${token()}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new Error(`Cannot reach the flag service (${err.message})`);
  }
  let data = null;
  try {
    data = await res.json();
  } catch {
    // not JSON: fall through with data = null
  }
  if (!res.ok) {
    let message = data && typeof data.error === 'string' ? data.error : `${res.status} ${res.statusText}`.trim();
    if (res.status === 401) message += state.tokenRequired ? ' (enter the admin token at the top right)' : '';
    const error = new Error(message);
    error.status = res.status;
    throw error;
  }
  return data;
}

const flagPath = (key) => `/api/flags/${encodeURIComponent(key)}`;

// Loads /api/state; calls made while one is running are coalesced into one more.
let loading = null;
let loadAgain = false;
async function loadState() {
  if (loading) {
    loadAgain = true;
    return loading;
  }
  loading = (async () => {
    do {
      loadAgain = false;
      try {
        const data = obj(await api('GET', '/api/state'));
        state.flags = obj(data.flags);
        state.segments = obj(data.segments);
        state.tokenRequired = data.tokenRequired === true;
        if (!errorBox.hidden && errorBox.parentElement === $('banner-slot')) clearError();
      } catch (err) {
        showError(`Could not load flags: ${err.message}`);
      }
      renderHeader();
      renderList();
      syncEditorWithState();
    } while (loadAgain);
    loading = null;
  })();
  return loading;
}

// ---------------------------------------------------------------------------------------------
// Header

function renderHeader() {
  $('token-field').hidden = !state.tokenRequired;
}

$('origin').textContent = window.location.origin;
$('admin-token').value = token();
$('admin-token').addEventListener('input', (e) => sessionStorage.setItem(TOKEN_KEY, e.target.value.trim()));

// ---------------------------------------------------------------------------------------------
// Flag list

function sortedFlags() {
  return Object.values(state.flags)
    .filter((f) => f && typeof f === 'object' && typeof f.key === 'string')
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function renderList() {
  const query = $('search').value.trim().toLowerCase();
  const all = sortedFlags();
  const shown = all.filter((f) => !query || f.key.toLowerCase().includes(query) || String(f.name ?? '').toLowerCase().includes(query));
  $('flag-count').textContent = query ? `(${shown.length} of ${all.length})` : `(${all.length})`;
  const list = $('flag-list');
  list.replaceChildren(...shown.map(flagRow));
  if (shown.length === 0) list.append(el('li', { class: 'muted empty' }, all.length ? 'No flag matches.' : 'No flags yet.'));
}

function flagRow(flag) {
  const on = flag.on === true;
  const subtitle = [flag.name, flag.description].filter((s) => typeof s === 'string' && s).join(' — ');
  const toggle = el('input', {
    type: 'checkbox', class: 'switch', checked: on, 'data-testid': `toggle-${flag.key}`,
    'aria-label': `${flag.key}: targeting ${on ? 'on' : 'off'}`, onchange: (e) => toggleFlag(flag.key, e.target),
  });
  return el('li', {
    class: `flag-row${flag.key === editor.key ? ' selected' : ''}`, 'data-testid': `flag-${flag.key}`,
    onclick: (e) => { if (e.target !== toggle) openFlag(flag.key); },
  },
  toggle,
  el('div', { class: 'flag-text' },
    el('button', { type: 'button', class: 'link flag-key', 'data-testid': `open-${flag.key}` }, flag.key),
    subtitle ? el('div', { class: 'muted small ellipsis', title: subtitle }, subtitle) : null),
  el('span', { class: `badge ${on ? 'on' : 'off'}` }, on ? 'ON' : 'OFF'),
  el('span', { class: 'muted small' }, `v${flag.version ?? '?'}`));
}

/** PUTs the stored flag with `on` flipped. */
async function toggleFlag(key, checkbox) {
  const flag = state.flags[key];
  if (!flag) return;
  clearError();
  checkbox.disabled = true;
  try {
    const saved = obj(await api('PUT', flagPath(key), { ...flag, on: checkbox.checked })).flag;
    if (saved) {
      state.flags[key] = saved;
      // Keep an open editor in step, so its Save does not undo the toggle.
      if (editor.key === key && editor.draft) {
        editor.draft.on = saved.on;
        editor.draft.version = saved.version;
        if (!editor.dirty && !editor.rawDirty) editor.draft = clone(saved);
        if (!editor.rawDirty) renderEditor(); // (re-rendering would drop the raw JSON edits)
      }
    }
  } catch (err) {
    checkbox.checked = !checkbox.checked;
    showError(`Could not switch ${key}: ${err.message}`);
  }
  checkbox.disabled = false;
  renderList();
}

$('search').addEventListener('input', renderList);

// ---------------------------------------------------------------------------------------------
// Flag editor

function openFlag(key) {
  if (editor.key === key) return; // (unsaved edits of another flag are dropped)
  const flag = state.flags[key];
  if (!flag) return;
  clearError();
  Object.assign(editor, { key, draft: clone(flag), dirty: false, rawDirty: false, stash: new WeakMap() });
  renderEditor();
  renderList();
}

function closeEditor() {
  Object.assign(editor, { key: null, draft: null, dirty: false, rawDirty: false });
  if (errorBox.parentElement?.id === 'editor-error-slot') clearError();
  $('editor-column').replaceChildren(el('p', { class: 'placeholder', 'data-testid': 'editor-empty' }, 'Select a flag to edit its targeting.'));
  renderList();
}

/** After a reload: refresh an unedited editor; otherwise say the flag changed underneath. */
function syncEditorWithState() {
  if (!editor.key) return;
  const current = state.flags[editor.key];
  const notice = $('editor-notice');
  if (!current) {
    if (!editor.dirty && !editor.rawDirty) closeEditor();
    else if (notice) notice.textContent = 'This flag was deleted on the server.';
    return;
  }
  if (current.version === editor.draft.version) return;
  if (!editor.dirty && !editor.rawDirty) {
    editor.draft = clone(current);
    renderEditor();
  } else if (notice) {
    notice.textContent = `Changed elsewhere (now version ${current.version}); saving will overwrite that change.`;
  }
}

/** The form changed the draft: remember that and refresh the raw JSON view. */
function edited() {
  editor.dirty = true;
  const raw = $('raw-json');
  if (raw && !editor.rawDirty) raw.value = JSON.stringify(editor.draft, null, 2);
}

function variationOptions(variations, selected, withRollout) {
  const options = variations.map((v, i) => el('option', { value: String(i), title: json(v, 1000) }, json(v)));
  if (withRollout) options.push(el('option', { value: 'rollout' }, 'percentage rollout'));
  const select = el('select', {}, ...options);
  if (selected === '' || selected === undefined) select.prepend(el('option', { value: '' }, '(none)'));
  select.value = selected ?? '';
  return select;
}

const serveMode = (serve) => (obj(serve).rollout ? 'rollout' : Number.isInteger(obj(serve).variation) ? String(serve.variation) : '');

/**
 * The "serve" control for a fallthrough or rule: a variation select (with "percentage rollout"), and
 * under it one percent input per variation when rolling out. `prefix` names the test ids.
 */
function serveControl(serve, prefix, weightPrefix) {
  const variations = arr(editor.draft.variations);
  const select = variationOptions(variations, serveMode(serve), true);
  select.dataset.testid = `${prefix}variation`;
  select.setAttribute('aria-label', 'Serve');
  const weights = el('div', { class: 'weights' });
  const render = () => weights.replaceChildren(...(serve.rollout ? weightInputs(serve, variations, weightPrefix) : []));
  select.addEventListener('change', () => {
    if (select.value === 'rollout') {
      const from = Number.isInteger(serve.variation) ? serve.variation : 0;
      serve.rollout = editor.stash.get(serve) ?? { variations: variations.map((_, i) => ({ variation: i, weight: i === from ? 100000 : 0 })) };
      delete serve.variation;
    } else {
      if (serve.rollout) editor.stash.set(serve, serve.rollout);
      delete serve.rollout;
      if (select.value === '') delete serve.variation;
      else serve.variation = Number(select.value);
    }
    render();
    edited();
  });
  render();
  return el('div', { class: 'serve' }, select, weights);
}

/** Percent inputs (1% = 1000 weight units), sent exactly as entered: the server validates the sum. */
function weightInputs(serve, variations, prefix) {
  const current = () => arr(obj(serve.rollout).variations);
  const weightOf = (i) => current().filter((e) => obj(e).variation === i).reduce((sum, e) => sum + (Number(e.weight) || 0), 0);
  const total = el('div');
  const showTotal = () => {
    const sum = variations.reduce((s, _, i) => s + weightOf(i), 0);
    total.textContent = `Total ${sum / 1000}%${sum === 100000 ? '' : ' (must be 100%)'}`;
    total.className = sum === 100000 ? 'small muted' : 'small warn';
  };
  const rows = variations.map((v, i) => {
    const input = el('input', { type: 'number', step: '0.001', min: '0', max: '100', value: String(weightOf(i) / 1000), 'data-testid': `${prefix}${i}`, 'aria-label': `Percent for ${json(v, 40)}` });
    input.addEventListener('input', () => {
      const weight = Math.round((Number(input.value) || 0) * 1000);
      // One entry per variation, keeping each entry's other fields (e.g. `untracked`).
      const entries = variations.map((_, j) => ({ ...obj(current().find((e) => obj(e).variation === j)), variation: j, weight: j === i ? weight : weightOf(j) }));
      serve.rollout = { ...obj(serve.rollout), variations: entries };
      showTotal();
      edited();
    });
    return el('label', { class: 'weight' }, el('code', { title: json(v, 1000) }, json(v, 40)), input, '%');
  });
  showTotal();
  return [...rows, total];
}

function clauseText(clause) {
  const c = obj(clause);
  const attribute = c.contextKind && c.contextKind !== 'user' ? `${c.contextKind}.${c.attribute}` : String(c.attribute ?? '?');
  const values = arr(c.values).map((v) => json(v, 40)).join(', ');
  return `${attribute} ${c.negate ? 'NOT ' : ''}${c.op ?? '?'} ${values}`;
}

function renderEditor() {
  const flag = editor.draft;
  const variations = arr(flag.variations);
  const section = (title, ...children) => el('fieldset', {}, el('legend', {}, title), ...children);

  // Rules: clauses read-only, serve editable.
  flag.rules = arr(flag.rules);
  const rules = flag.rules.map((rule, i) => {
    if (!rule || typeof rule !== 'object') return el('div', { class: 'rule muted' }, `Rule ${i + 1}: not an object`);
    return el('div', { class: 'rule', 'data-testid': `rule-${i}` },
      el('div', { class: 'rule-title' }, `Rule ${i + 1}`, rule.description ? el('span', { class: 'muted' }, ` — ${rule.description}`) : null),
      el('ul', { class: 'clauses' }, arr(rule.clauses).map((c, j) => el('li', {}, j ? el('span', { class: 'muted' }, 'and ') : 'if ', el('code', {}, clauseText(c))))),
      el('div', { class: 'row' }, el('span', { class: 'muted' }, 'serve'), serveControl(rule, `rule-${i}-`, `rule-${i}-weight-`)));
  });

  flag.fallthrough = obj(flag.fallthrough);
  const offSelect = variationOptions(variations, Number.isInteger(flag.offVariation) ? String(flag.offVariation) : '', false);
  offSelect.dataset.testid = 'off-variation';
  offSelect.setAttribute('aria-label', 'Off variation');
  if (!offSelect.querySelector('option[value=""]')) offSelect.prepend(el('option', { value: '' }, '(none)'));
  offSelect.addEventListener('change', () => {
    if (offSelect.value === '') delete flag.offVariation;
    else flag.offVariation = Number(offSelect.value);
    edited();
  });

  const targets = variations.map((v, i) => {
    const entry = arr(flag.targets).find((t) => obj(t).variation === i);
    const input = el('textarea', { rows: '1', 'data-testid': `targets-${i}`, placeholder: 'context keys, comma-separated', value: arr(obj(entry).values).join(', ') });
    input.addEventListener('input', () => setTargets(i, input.value));
    return el('label', { class: 'target' }, el('code', { title: json(v, 1000) }, json(v, 40)), input);
  });
  const otherKinds = arr(flag.contextTargets).filter((t) => arr(obj(t).values).length > 0);

  const raw = el('textarea', { id: 'raw-json', 'data-testid': 'raw-json', rows: '16', spellcheck: 'false', value: JSON.stringify(flag, null, 2) });
  const rawNote = el('p', { class: 'small warn', hidden: true }, 'JSON edited: Save sends this JSON; form changes are ignored until you apply or discard it.');
  raw.addEventListener('input', () => { editor.rawDirty = true; rawNote.hidden = false; });
  const applyJson = () => {
    try {
      const parsed = JSON.parse(raw.value);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      Object.assign(editor, { draft: parsed, rawDirty: false, dirty: true });
      renderEditor();
    } catch (err) {
      showError(`Invalid JSON: ${err.message}`, $('editor-error-slot'));
    }
  };
  const discardJson = () => {
    Object.assign(editor, { rawDirty: false });
    raw.value = JSON.stringify(editor.draft, null, 2);
    rawNote.hidden = true;
  };

  const stored = state.flags[editor.key];
  const keepError = !errorBox.hidden && errorBox.parentElement?.id === 'editor-error-slot';
  const rawOpen = $('raw-details')?.open === true;
  $('editor-column').replaceChildren(el('div', { class: 'editor', 'data-testid': 'editor' },
    el('div', { class: 'panel-head' },
      el('h2', { class: 'ellipsis' }, el('code', {}, editor.key)),
      el('span', { class: `badge ${flag.on === true ? 'on' : 'off'}` }, flag.on === true ? 'ON' : 'OFF'),
      el('span', { class: 'muted', 'data-testid': 'editor-version' }, `version ${stored?.version ?? flag.version ?? '?'}`),
      el('button', { type: 'button', class: 'link', 'data-testid': 'close-editor', 'aria-label': 'Close editor', onclick: closeEditor }, 'Close')),
    flag.name || flag.description ? el('p', { class: 'muted' }, [flag.name, flag.description].filter(Boolean).join(' — ')) : null,
    el('p', { class: 'small warn', id: 'editor-notice', 'aria-live': 'polite' }),
    section('Variations', variations.length ? el('ol', { class: 'variations', start: '0' }, variations.map((v) => el('li', {}, el('code', {}, json(v, 200)))))
      : el('p', { class: 'muted small' }, 'No variations: add them in the JSON.')),
    section('Default rule (fallthrough)', el('div', { class: 'row' }, el('span', { class: 'muted' }, 'serve'), serveControl(flag.fallthrough, 'fallthrough-', 'fallthrough-weight-'))),
    section(`Rules (${rules.length})`, rules.length ? rules : el('p', { class: 'muted small' }, 'No rules.')),
    section('Individual targets (user keys)', targets,
      otherKinds.length ? el('p', { class: 'muted small' }, `Plus ${otherKinds.length} context target list(s) for other kinds: edit them in the JSON.`) : null),
    section('When targeting is off, serve', offSelect),
    el('details', { id: 'raw-details', open: rawOpen }, el('summary', {}, 'Advanced: edit JSON'), raw, rawNote,
      el('div', { class: 'actions' },
        el('button', { type: 'button', 'data-testid': 'apply-json', onclick: applyJson }, 'Apply JSON to form'),
        el('button', { type: 'button', 'data-testid': 'discard-json', onclick: discardJson }, 'Discard JSON edits'))),
    el('div', { class: 'error-slot', id: 'editor-error-slot' }),
    el('div', { class: 'actions sticky' },
      el('button', { type: 'button', class: 'primary', id: 'save', 'data-testid': 'save', onclick: saveFlag }, 'Save'),
      el('span', { class: 'muted small', id: 'save-status', 'data-testid': 'save-status', 'aria-live': 'polite' }),
      el('button', { type: 'button', class: 'danger', 'data-testid': 'delete', onclick: deleteFlag }, 'Delete'))));
  if (keepError) $('editor-error-slot').append(errorBox);
}

/** Sets the individual (user) targets of variation `i` from comma- or newline-separated keys. */
function setTargets(i, text) {
  const values = [...new Set(text.split(/[,\n]/).map((s) => s.trim()).filter(Boolean))];
  const targets = arr(editor.draft.targets).filter((t) => obj(t).variation !== i || values.length);
  const entry = targets.find((t) => obj(t).variation === i);
  if (entry) entry.values = values;
  else if (values.length) targets.push({ values, variation: i });
  editor.draft.targets = targets;
  edited();
}

async function saveFlag() {
  const key = editor.key;
  const slot = $('editor-error-slot');
  let body = editor.draft;
  if (editor.rawDirty) {
    try {
      body = JSON.parse($('raw-json').value);
    } catch (err) {
      showError(`Invalid JSON: ${err.message}`, slot);
      return;
    }
  }
  clearError();
  const button = $('save');
  button.disabled = true;
  $('save-status').textContent = 'Saving…';
  try {
    const saved = obj(await api('PUT', flagPath(key), body)).flag;
    if (editor.key !== key) return;
    if (saved) {
      state.flags[key] = saved;
      Object.assign(editor, { draft: clone(saved), dirty: false, rawDirty: false, stash: new WeakMap() });
    }
    renderEditor();
    $('save-status').textContent = `Saved: version ${saved?.version ?? '?'}`;
    renderList();
  } catch (err) {
    // Keep the user's edits; only say what the server said.
    if (editor.key !== key) return;
    $('save-status').textContent = '';
    showError(err.message, slot);
  } finally {
    if (button.isConnected) button.disabled = false;
  }
}

async function deleteFlag() {
  const key = editor.key;
  if (!confirm(`Delete flag "${key}"? This cannot be undone.`)) return;
  clearError();
  try {
    await api('DELETE', flagPath(key));
    delete state.flags[key];
    closeEditor();
  } catch (err) {
    showError(`Could not delete ${key}: ${err.message}`, $('editor-error-slot'));
  }
}

// ---------------------------------------------------------------------------------------------
// Create form

const newForm = $('new-flag-form');

function showNewForm(show) {
  newForm.hidden = !show;
  if (errorBox.parentElement?.id === 'create-error-slot') clearError();
  if (show) $('new-key').focus();
  else newForm.reset();
  $('new-variations-field').hidden = true;
}

/** Variations from the form: [true, false] for boolean, else one per non-empty line. */
function parseVariations(type, text) {
  if (type === 'boolean') return [true, false];
  const lines = text.split('\n').map((s) => s.trim()).filter(Boolean);
  if (lines.length === 0) throw new Error('Enter at least one variation, one per line');
  return lines.map((line, i) => {
    if (type === 'string') return line;
    if (type === 'number') {
      const n = Number(line);
      if (!Number.isFinite(n)) throw new Error(`Variation ${i + 1} (${line}) is not a number`);
      return n;
    }
    try {
      return JSON.parse(line);
    } catch (err) {
      throw new Error(`Variation ${i + 1} is not valid JSON: ${err.message}`);
    }
  });
}

function randomSalt() {
  const bytes = new Uint8Array(16);
  globalThis.crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function createFlag(event) {
  event.preventDefault();
  const slot = $('create-error-slot');
  const key = $('new-key').value.trim();
  const name = $('new-name').value.trim();
  let variations;
  try {
    if (!key) throw new Error('Enter a key');
    variations = parseVariations($('new-type').value, $('new-variations').value);
  } catch (err) {
    showError(err.message, slot);
    return;
  }
  const flag = {
    key, ...(name ? { name } : {}), on: false, variations,
    offVariation: variations.length > 1 ? variations.length - 1 : 0, fallthrough: { variation: 0 },
    targets: [], rules: [], prerequisites: [], salt: randomSalt(),
  };
  clearError();
  try {
    const created = obj(await api('POST', '/api/flags', flag)).flag ?? flag;
    state.flags[created.key] = created;
    showNewForm(false);
    renderList();
    openFlag(created.key);
  } catch (err) {
    showError(err.message, slot);
  }
}

$('new-flag').addEventListener('click', () => showNewForm(newForm.hidden));
$('new-cancel').addEventListener('click', () => showNewForm(false));
$('new-type').addEventListener('change', (e) => {
  $('new-variations-field').hidden = e.target.value === 'boolean';
  $('new-variations').placeholder = { string: 'red\ngreen', number: '1\n2.5', json: '{"a":1}\n[1,2]' }[e.target.value] ?? '';
});
newForm.addEventListener('submit', createFlag);

// ---------------------------------------------------------------------------------------------
// Live panel: /api/live server-sent events

const events = []; // newest first

/** "user:alice, org:acme" from an event's context, contextKeys or (old) user. */
function contextKeys(event) {
  const e = obj(event);
  if (e.contextKeys && typeof e.contextKeys === 'object') return Object.entries(e.contextKeys).map(([k, v]) => `${k}:${v}`).join(', ');
  const context = obj(e.context ?? e.user);
  if (context.kind === 'multi') {
    return Object.entries(context).filter(([k]) => k !== 'kind').map(([k, v]) => `${k}:${obj(v).key}`).join(', ');
  }
  return context.key !== undefined ? `${context.kind ?? 'user'}:${context.key}` : '';
}

function describeEvent(event) {
  const e = obj(event);
  switch (e.kind) {
    case 'feature':
    case 'debug':
      return `${e.key} → #${e.variation ?? '–'} ${json(e.value, 60)}${e.default !== undefined ? ` (default ${json(e.default, 30)})` : ''}`;
    case 'custom':
      return `${e.key}${e.metricValue !== undefined ? ` = ${e.metricValue}` : ''}`;
    case 'summary': {
      const features = obj(e.features);
      const count = Object.values(features).reduce((n, f) => n + arr(obj(f).counters).reduce((m, c) => m + (Number(obj(c).count) || 0), 0), 0);
      return `${count} evaluation(s) of ${Object.keys(features).join(', ') || 'no flags'}`;
    }
    case 'index':
    case 'identify':
      return '';
    default:
      return json(event, 100);
  }
}

function renderEvents() {
  const log = $('event-log');
  log.replaceChildren(...events.map(({ at, event }) => {
    const keys = contextKeys(event);
    return el('li', { 'data-testid': 'event-line' },
      el('span', { class: 'muted' }, at),
      el('span', { class: `kind kind-${String(obj(event).kind)}` }, String(obj(event).kind ?? '?')),
      el('span', { class: 'what' }, describeEvent(event)),
      keys ? el('span', { class: 'muted' }, keys) : null);
  }));
  if (events.length === 0) log.append(el('li', { class: 'muted empty' }, 'No events yet. Evaluate flags with an SDK pointed here.'));
}

function onEvents(data) {
  const d = obj(data);
  const at = new Date(d.receivedAt ?? Date.now());
  const time = Number.isNaN(at.getTime()) ? '' : at.toLocaleTimeString();
  for (const event of arr(d.events)) events.unshift({ at: time, event });
  events.splice(MAX_EVENTS);
  renderEvents();
}

function renderCounts(data) {
  const counts = obj(data);
  const body = $('counts-body');
  const keys = Object.keys(counts).sort();
  body.replaceChildren(...keys.map((key) => el('tr', { 'data-testid': `count-${key}` },
    el('td', {}, el('code', {}, key)),
    el('td', {}, Object.entries(obj(counts[key])).map(([label, c]) =>
      el('span', { class: 'chip', title: json(obj(c).value, 1000) }, `${label}: ${json(obj(c).value, 24)} × ${obj(c).count ?? 0}`))))));
  if (keys.length === 0) body.append(el('tr', {}, el('td', { colspan: '2', class: 'muted' }, 'No evaluations yet.')));
}

function setLiveStatus(stateName, text) {
  const status = $('live-status');
  status.dataset.state = stateName;
  status.textContent = text;
}

function parseData(message) {
  try {
    return JSON.parse(message.data);
  } catch {
    return null;
  }
}

function connectLive() {
  if (typeof EventSource !== 'function') {
    setLiveStatus('closed', 'live updates unsupported');
    return;
  }
  setLiveStatus('connecting', 'connecting…');
  const source = new EventSource('/api/live');
  source.addEventListener('open', () => {
    setLiveStatus('open', 'connected');
    void loadState(); // catch up on changes missed while disconnected
  });
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      setLiveStatus('closed', 'disconnected, retrying…');
      setTimeout(connectLive, 5000); // the browser gave up: start a new stream
    } else {
      setLiveStatus('connecting', 'reconnecting…');
    }
  });
  source.addEventListener('change', () => void loadState());
  source.addEventListener('events', (m) => onEvents(parseData(m)));
  source.addEventListener('counts', (m) => renderCounts(parseData(m)));
}

// ---------------------------------------------------------------------------------------------
// Start

renderEvents();
renderCounts({});
void loadState();
connectLive();
