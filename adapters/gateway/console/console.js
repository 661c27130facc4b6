// The purchasing console: plain JavaScript, no build step. It talks to the
// admin listener's /console/api/ with the bearer token the user typed
// (kept in sessionStorage for this tab only) and draws its charts as SVG.
'use strict';

const TEXT = {
  nl: {
    skip: 'Naar de inhoud', title: 'Sociaal inkopen – console', logout: 'Afmelden', login: 'Aanmelden',
    token: 'Toegangssleutel (token)', signin: 'Aanmelden', 'tab.dashboard': 'Overzicht', 'tab.suppliers': 'Leveranciers',
    'tab.categories': 'Categorieën', 'tab.messages': 'Campagnes en teksten', 'tab.experiments': 'Experimenten',
    'tab.preview': 'Voorbeeld', 'tab.changes': 'Wijzigingen', from: 'Van', to: 'Tot en met', category: 'Categorie',
    department: 'Afdeling', show: 'Tonen', export: 'Export', format: 'Formaat', groupby: 'Groeperen op',
    download: 'Downloaden', language: 'Taal', save: 'Wijzigingen opslaan', revert: 'Wijzigingen verwerpen',
    'preview.candidates': "Lijst uit het ERP (id=prijs, gescheiden door komma's; de eerste staat voorgeselecteerd)",
    'preview.show': 'Toon wat het bestelscherm laat zien',
    all: 'Alle', signedin: 'Aangemeld als', badtoken: 'Deze toegangssleutel is niet geldig.',
    needtoken: 'Vul een toegangssleutel in.', unsaved: 'Niet opgeslagen wijzigingen', nochanges: '',
    saved: 'Opgeslagen en toegepast', invalid: 'Niet opgeslagen: controleer de gemarkeerde velden.',
    conflict: 'Het bestand is intussen gewijzigd. Laad de configuratie opnieuw.', nochange: 'Er was niets gewijzigd.',
    share: 'Aandeel sociaal per maand', bycount: 'naar aantal', byspend: 'naar bedrag', orders: 'Bestellingen',
    spend: 'Bedrag', socialshare: 'Aandeel sociaal', kept: 'Standaardkeuze gehouden', othersocial: 'Andere sociale leverancier',
    regular: 'Reguliere leverancier', addressable: 'Beïnvloedbaar bedrag', addressableshare: 'waarvan sociaal',
    topsuppliers: 'Grootste sociale leveranciers', supplier: 'Leverancier', nodata: 'Geen bestellingen in deze periode.',
    id: 'Id', name: 'Naam', social: 'Sociaal', evidence: 'Bewijs', kind: 'Soort', validfrom: 'Geldig van',
    validuntil: 'Geldig tot en met', reference: 'Kenmerk', impact: 'Impact (zin)', addevidence: 'Bewijs toevoegen',
    remove: 'Verwijderen', addsupplier: 'Leverancier toevoegen', expires: 'verloopt over {n} dagen', expired: 'verlopen',
    identifiers: 'Nummers', codesystem: 'Codelijst', code: 'Code', departments: "Afdelingen (leeg: alle; komma's ertussen)",
    strategy: 'Strategie', fixed: 'vast (de eerste)', rotate: 'rouleren', tolerance: 'Prijstolerantie (%)',
    shown: 'Aantal sociale opties vooraan', socialsuppliers: 'Sociale leveranciers (de eerste is de standaardkeuze bij "vast")',
    up: 'Omhoog', down: 'Omlaag', add: 'Toevoegen', defaultbadge: 'standaard', nudges: 'Getoonde duwtjes',
    campaigns: 'Campagnes', addcampaign: 'Campagne toevoegen', textnl: 'Tekst (Nederlands)', texten: 'Tekst (Engels)',
    endorsement: 'Aanbeveling', orgendorsement: 'Aanbeveling van de organisatie', categoryendorsement: 'Aanbeveling voor deze categorie',
    defaultlanguage: 'Standaardtaal', experiment: 'Experiment', minimumeffect: 'Kleinste effect (procentpunt)',
    expcategories: 'Categorieën (codelijst:code, komma\'s ertussen; leeg: alle)', arms: 'Groepen', arm: 'Groep', weight: 'Gewicht',
    control: 'Controlegroep', armnudges: 'Duwtjes (spatie ertussen)', addarm: 'Groep toevoegen', addexperiment: 'Experiment toevoegen',
    results: 'Resultaten', interval: 'interval', difference: 'Verschil met controle', needed: 'Nog nodig',
    at: 'Wanneer', who: 'Door', what: 'Wat', reason: 'Uitkomst', notes: 'Teksten bij de keuze', injected: 'toegevoegd',
    preselected: 'voorgeselecteerd', loading: 'Bezig…', failed: 'Mislukt', downloaded: 'Gedownload', month: 'Maand',
    scheme: 'Register', number: 'Nummer', addidentifier: 'Nummer toevoegen', figure: 'Cijfer',
    nameen: 'Naam in het Engels', departmentlanguages: 'Taal per afdeling', addcategory: 'Categorie toevoegen', removecategory: 'Categorie verwijderen',
    norm: 'Wat collega\'s kiezen (norm)', normthreshold: 'Tonen vanaf aandeel sociaal (%)', normminorders: 'Minimum aantal bestellingen',
    normwindow: 'Periode (dagen)', templates: 'Sjablonen ({placeholders} blijven staan)', template: 'Sjabloon',
    'tab.organisation': 'Organisatie', organisation: 'Organisatie', orgname: 'Naam van de organisatie',
    timezone: 'Tijdzone (IANA, zoals Europe/Amsterdam)', currency: 'Rapportagevaluta (ISO 4217, zoals EUR)',
    keyfile: 'Sleutelbestand voor pseudoniemen (alleen door IT te wijzigen)',
    ownnorm: 'Eigen instellingen voor de norm in deze categorie',
    ownnormhint: 'Uit: de instellingen van de organisatie gelden ({threshold} %, {min_orders} bestellingen, {window_days} dagen).',
    normnotshown: 'Let op: de norm wordt alleen getoond als "norm" hierboven aangevinkt is.',
    expcategorieslegend: 'Categorieën in het experiment (geen aangevinkt: alle)', notconfigured: 'niet ingesteld'
  },
  en: {
    skip: 'Skip to content', title: 'Social procurement – console', logout: 'Sign out', login: 'Sign in',
    token: 'Access token', signin: 'Sign in', 'tab.dashboard': 'Overview', 'tab.suppliers': 'Suppliers',
    'tab.categories': 'Categories', 'tab.messages': 'Campaigns and messages', 'tab.experiments': 'Experiments',
    'tab.preview': 'Preview', 'tab.changes': 'Changes', from: 'From', to: 'Until', category: 'Category',
    department: 'Department', show: 'Show', export: 'Export', format: 'Format', groupby: 'Group by',
    download: 'Download', language: 'Language', save: 'Save changes', revert: 'Discard changes',
    'preview.candidates': 'List from the ERP (id=price, comma-separated; the first is preselected)',
    'preview.show': 'Show what the ordering screen shows',
    all: 'All', signedin: 'Signed in as', badtoken: 'This access token is not valid.',
    needtoken: 'Enter an access token.', unsaved: 'Unsaved changes', nochanges: '',
    saved: 'Saved and applied', invalid: 'Not saved: check the marked fields.',
    conflict: 'The file changed in the meantime. Load the configuration again.', nochange: 'Nothing had changed.',
    share: 'Social share per month', bycount: 'by count', byspend: 'by spend', orders: 'Orders',
    spend: 'Spend', socialshare: 'Social share', kept: 'Kept the default', othersocial: 'Other social supplier',
    regular: 'Regular supplier', addressable: 'Addressable spend', addressableshare: 'of which social',
    topsuppliers: 'Top social suppliers', supplier: 'Supplier', nodata: 'No orders in this period.',
    id: 'Id', name: 'Name', social: 'Social', evidence: 'Evidence', kind: 'Kind', validfrom: 'Valid from',
    validuntil: 'Valid until', reference: 'Reference', impact: 'Impact (sentence)', addevidence: 'Add evidence',
    remove: 'Remove', addsupplier: 'Add supplier', expires: 'expires in {n} days', expired: 'expired',
    identifiers: 'Numbers', codesystem: 'Code system', code: 'Code', departments: 'Departments (empty: all; comma-separated)',
    strategy: 'Strategy', fixed: 'fixed (the first)', rotate: 'rotate', tolerance: 'Price tolerance (%)',
    shown: 'Social options shown first', socialsuppliers: 'Social suppliers (the first is the default when "fixed")',
    up: 'Up', down: 'Down', add: 'Add', defaultbadge: 'default', nudges: 'Nudges shown',
    campaigns: 'Campaigns', addcampaign: 'Add campaign', textnl: 'Text (Dutch)', texten: 'Text (English)',
    endorsement: 'Endorsement', orgendorsement: "The organisation's endorsement", categoryendorsement: 'Endorsement for this category',
    defaultlanguage: 'Default language', experiment: 'Experiment', minimumeffect: 'Smallest effect (percentage points)',
    expcategories: 'Categories (system:code, comma-separated; empty: all)', arms: 'Arms', arm: 'Arm', weight: 'Weight',
    control: 'Control arm', armnudges: 'Nudges (space-separated)', addarm: 'Add arm', addexperiment: 'Add experiment',
    results: 'Results', interval: 'interval', difference: 'Difference from control', needed: 'Still needed',
    at: 'When', who: 'By', what: 'What', reason: 'Outcome', notes: 'Notes with the choice', injected: 'added',
    preselected: 'preselected', loading: 'Loading…', failed: 'Failed', downloaded: 'Downloaded', month: 'Month',
    scheme: 'Scheme', number: 'Number', addidentifier: 'Add number', figure: 'Figure',
    nameen: 'Name in English', departmentlanguages: 'Language per department', addcategory: 'Add category', removecategory: 'Remove category',
    norm: 'What colleagues choose (norm)', normthreshold: 'Shown from social share (%)', normminorders: 'Minimum number of orders',
    normwindow: 'Window (days)', templates: 'Templates (keep the {placeholders})', template: 'Template',
    'tab.organisation': 'Organisation', organisation: 'Organisation', orgname: "The organisation's name",
    timezone: 'Time zone (IANA, such as Europe/Amsterdam)', currency: 'Reporting currency (ISO 4217, such as EUR)',
    keyfile: 'Pseudonymisation key file (changed by IT only)',
    ownnorm: 'Own norm settings for this category',
    ownnormhint: "Off: the organisation's settings apply ({threshold} %, {min_orders} orders, {window_days} days).",
    normnotshown: 'Note: the norm is only shown when "norm" is ticked above.',
    expcategorieslegend: 'Categories in the experiment (none ticked: all)', notconfigured: 'not configured'
  }
};
const EVIDENCE_KINDS = ['pso-1', 'pso-2', 'pso-3', 'pso-30plus', 'code-sociale-ondernemingen', 'sheltered-employer', 'other'];
const NUDGES = ['impact', 'norm', 'campaign', 'endorsement', 'price'];

const state = {
  lang: localStorage.getItem('sd-console-lang') || ((navigator.language || 'nl').slice(0, 2) === 'en' ? 'en' : 'nl'),
  token: sessionStorage.getItem('sd-console-token') || '',
  loaded: null,   // the configuration as the server gave it
  config: null,   // the working copy
  version: '',
  today: '',
  tab: 'dashboard',
  stats: null,
  open: new Set()   // suppliers the user opened, kept open across renders
};

const $ = (id) => document.getElementById(id);
const t = (key, vars) => {
  let s = (TEXT[state.lang] && TEXT[state.lang][key]) || TEXT.nl[key] || key;
  for (const [k, v] of Object.entries(vars || {})) s = s.replace('{' + k + '}', v);
  return s;
};

// h('input', {id: 'x', 'data-path': 'a.b'}, children...)
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'onclick' || k === 'onchange' || k === 'oninput') e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else if (k === 'value') e.value = v;
    else if (k === 'checked') e.checked = !!v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c.nodeType ? c : document.createTextNode(String(c)));
  return e;
}

let uid = 0;
const nextId = () => 'f' + (++uid);

// ---- paths into the working copy ("categories[0].social_suppliers[1]")
function parsePath(path) {
  const out = [];
  path.replace(/([^.[\]]+)|\[(\d+)\]/g, (m, key, index) => { out.push(index !== undefined ? Number(index) : key); });
  return out;
}
function getAt(path) { return parsePath(path).reduce((o, k) => (o == null ? undefined : o[k]), state.config); }
function setAt(path, value) {
  const keys = parsePath(path);
  let o = state.config;
  for (const k of keys.slice(0, -1)) o = o[k];
  o[keys[keys.length - 1]] = value;
  markDirty();
}

function markDirty() {
  const dirty = JSON.stringify(state.config) !== JSON.stringify(state.loaded);
  $('dirty').textContent = dirty ? t('unsaved') : '';
  return dirty;
}

// ---- a labelled input bound to a path
function field(label, path, opts = {}) {
  const id = nextId();
  const value = getAt(path);
  let input;
  if (opts.options) {
    input = h('select', { id, 'data-path': path },
      opts.options.map((o) => h('option', { value: Array.isArray(o) ? o[0] : o, text: Array.isArray(o) ? o[1] : o })));
    input.value = value == null ? '' : String(value);
  } else if (opts.type === 'checkbox') {
    input = h('input', { id, type: 'checkbox', 'data-path': path, checked: !!value });
  } else if (opts.type === 'textarea') {
    input = h('textarea', { id, 'data-path': path, rows: 2, cols: 50, value: value == null ? '' : value });
  } else {
    input = h('input', { id, type: opts.type || 'text', 'data-path': path, value: value == null ? '' : String(value),
                         step: opts.step, min: opts.min, inputmode: opts.inputmode, size: opts.size });
  }
  const read = () => {
    if (opts.type === 'checkbox') return input.checked;
    if (opts.list) return input.value.split(',').map((s) => s.trim()).filter((s) => s);
    return input.value;
  };
  if (opts.list) input.value = (value || []).join(', ');
  input.addEventListener(opts.type === 'checkbox' || opts.options ? 'change' : 'input', () => setAt(path, read()));
  return h('div', { class: 'field' + (opts.cls ? ' ' + opts.cls : '') }, h('label', { for: id, text: label }), input);
}

// ---- API
async function api(path, options = {}) {
  const headers = Object.assign({ Authorization: 'Bearer ' + state.token }, options.headers || {});
  if (options.body && typeof options.body !== 'string') {
    options.body = JSON.stringify(options.body);
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  if (response.status === 401 || response.status === 403) {
    signOut(t('badtoken'));
    throw new Error(t('badtoken'));
  }
  return response;
}

function status(message, kind) {
  const s = $('status');
  s.textContent = message;
  s.className = kind || '';
}

// ---- sign in
async function signIn(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) { $('login-error').textContent = t('needtoken'); return; }
  const response = await fetch('/console/api/whoami', { headers: { Authorization: 'Bearer ' + token } });
  if (!response.ok) {
    $('login-error').textContent = t('badtoken');
    $('token').setAttribute('aria-invalid', 'true');
    $('token').focus();
    return;
  }
  state.token = token;
  sessionStorage.setItem('sd-console-token', token);
  $('token').value = '';
  await start((await response.json()).actor);
}

function signOut(message) {
  state.token = '';
  sessionStorage.removeItem('sd-console-token');
  $('app').hidden = true;
  $('logout').hidden = true;
  $('login-section').hidden = false;
  $('who').textContent = '';
  $('login-error').textContent = message || '';
}

async function start(actor) {
  $('login-section').hidden = true;
  $('app').hidden = false;
  $('logout').hidden = false;
  $('who').textContent = t('signedin') + ' ' + actor;
  $('token').removeAttribute('aria-invalid');
  $('login-error').textContent = '';
  await loadConfig();
  const year = state.today.slice(0, 4);
  $('period-from').value = year + '-01-01';
  $('period-to').value = state.today;
  selectTab(state.tab);
}

async function loadConfig() {
  const response = await api('/console/api/config');
  const body = await response.json();
  if (!response.ok) { status(body.error || t('failed'), 'bad'); return; }
  state.loaded = body.config;
  state.config = JSON.parse(JSON.stringify(body.config));
  state.version = body.version;
  state.today = body.today;
  markDirty();
  renderAll();
}

// ---- saving, and the loader's messages at their fields
function clearProblems() {
  document.querySelectorAll('.problem').forEach((e) => e.remove());
  document.querySelectorAll('[aria-invalid]').forEach((e) => { if (e.id !== 'token') e.removeAttribute('aria-invalid'); });
}

function showProblems(problems) {
  clearProblems();
  let first = null;
  for (const p of problems) {
    // The input of the field, else of the closest enclosing path.
    let path = p.field, target = null;
    while (path && !target) {
      target = document.querySelector('[data-path="' + CSS.escape(path) + '"]') ||
               document.querySelector('[data-block="' + CSS.escape(path) + '"]');
      if (!target) path = path.replace(/(\.[^.[\]]+|\[\d+\])$/, '') === path ? '' : path.replace(/(\.[^.[\]]+|\[\d+\])$/, '');
    }
    const id = nextId();
    const message = h('p', { class: 'error problem', id, role: 'alert', text: p.message });
    if (target) {
      const input = target.matches('input,select,textarea') ? target : null;
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', id);
        input.closest('.field, .row, fieldset').append(message);
      } else {
        target.prepend(message);
      }
      for (let d = target.closest('details'); d; d = d.parentElement.closest('details')) d.open = true;
      const panel = target.closest('[role=tabpanel]');
      if (!first && panel) first = { panel, input: input || target };
    } else {
      $('status').after(message);
    }
  }
  if (first) {
    selectTab(first.panel.id.replace('panel-', ''), true);
    first.input.focus && first.input.focus();
  }
}

async function save() {
  status(t('loading'));
  const response = await api('/console/api/config', { method: 'PUT', body: { version: state.version, config: state.config } });
  const body = await response.json();
  if (response.ok) {
    clearProblems();
    if (!body.saved) { status(t('nochange'), 'ok'); return; }
    status(t('saved') + ': ' + body.summary, 'ok');
    await loadConfig();
    return;
  }
  if (response.status === 409) { status(t('conflict') + ' ' + (body.error || ''), 'bad'); return; }
  if (body.problems) { status(t('invalid'), 'bad'); showProblems(body.problems); return; }
  status((body.error || t('failed')) + (body.note ? ' (' + body.note + ')' : ''), 'bad');
}

// ---- tabs
function selectTab(name, keepStatus) {
  state.tab = name;
  document.querySelectorAll('[role=tab]').forEach((tab) => {
    const on = tab.dataset.tab === name;
    tab.setAttribute('aria-selected', on ? 'true' : 'false');
    tab.tabIndex = on ? 0 : -1;
  });
  document.querySelectorAll('[role=tabpanel]').forEach((p) => { p.hidden = p.id !== 'panel-' + name; });
  if (!keepStatus && name === 'dashboard') loadStats();
  if (name === 'changes') loadChanges();
  if (name === 'experiments') loadExperimentResults();
}

function tabKeys(event) {
  const tabs = [...document.querySelectorAll('[role=tab]')];
  const i = tabs.indexOf(document.activeElement);
  if (i < 0) return;
  let j = null;
  if (event.key === 'ArrowRight') j = (i + 1) % tabs.length;
  if (event.key === 'ArrowLeft') j = (i - 1 + tabs.length) % tabs.length;
  if (event.key === 'Home') j = 0;
  if (event.key === 'End') j = tabs.length - 1;
  if (j === null) return;
  event.preventDefault();
  tabs[j].focus();
  selectTab(tabs[j].dataset.tab);
}

// ---- rendering
function renderAll() {
  uid = 0;
  renderOrganisation();
  renderSuppliers();
  renderCategories();
  renderMessages();
  renderExperiments();
  renderFilters();
}

// Name, time zone and reporting currency, checked by the loader on save as
// in the file; the zone list is the browser's (a suggestion: the daemon's
// tz database decides). The key file is shown, not editable.
function renderOrganisation() {
  const root = $('organisation');
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zone = field(t('timezone'), 'organisation.time_zone');
  const zoneInput = zone.querySelector('input');
  zoneInput.setAttribute('list', 'time-zones');
  zoneInput.setAttribute('autocomplete', 'off');
  zoneInput.setAttribute('spellcheck', 'false');
  const currency = field(t('currency'), 'organisation.reporting_currency', { size: 4 });
  const currencyInput = currency.querySelector('input');
  currencyInput.setAttribute('maxlength', '3');
  currencyInput.setAttribute('autocapitalize', 'characters');
  currencyInput.setAttribute('spellcheck', 'false');
  const keyId = nextId();
  root.replaceChildren(h('fieldset', { 'data-block': 'organisation' },
    h('legend', { text: t('organisation') }),
    h('div', { class: 'grid' },
      field(t('orgname'), 'organisation.name'),
      zone,
      currency,
      h('div', { class: 'field' }, h('label', { for: keyId, text: t('keyfile') }),
        h('input', { id: keyId, 'data-path': 'organisation.key_file', readonly: true, value: state.config.organisation.key_file }))),
    h('datalist', { id: 'time-zones' }, zones.map((z) => h('option', { value: z })))));
}

function daysBetween(a, b) { return Math.round((Date.parse(b) - Date.parse(a)) / 86400000); }

function renderSuppliers() {
  const root = $('suppliers');
  root.querySelectorAll('details[open]').forEach((d) => state.open.add(d.dataset.block));
  root.querySelectorAll('details:not([open])').forEach((d) => state.open.delete(d.dataset.block));
  root.replaceChildren();
  state.config.suppliers.forEach((s, i) => {
    const p = 'suppliers[' + i + ']';
    const evidence = (s.evidence || []).map((e, k) => {
      const ep = p + '.evidence[' + k + ']';
      const left = daysBetween(state.today, e.valid_until);
      const cls = left < 0 ? 'expired' : left <= 60 ? 'expiring' : '';
      const note = left < 0 ? t('expired') : left <= 60 ? t('expires', { n: left }) : '';
      return h('div', { class: 'row ' + cls, 'data-block': ep },
        field(t('kind'), ep + '.kind', { options: EVIDENCE_KINDS }),
        field(t('validfrom'), ep + '.valid_from', { type: 'date' }),
        field(t('validuntil'), ep + '.valid_until', { type: 'date' }),
        field(t('reference'), ep + '.reference', { size: 14 }),
        note ? h('span', { class: 'badge warn', text: note }) : null,
        h('button', { type: 'button', class: 'small secondary', 'aria-label': t('remove') + ' ' + t('evidence') + ' ' + (k + 1) + ' ' + s.id,
          onclick: () => { s.evidence.splice(k, 1); markDirty(); renderSuppliers(); } }, t('remove')));
    });
    const expiring = (s.evidence || []).some((e) => { const d = daysBetween(state.today, e.valid_until); return d >= 0 && d <= 60; });
    // One supplier per <details>, so the list of two dozen fits a laptop;
    // those with expiring evidence (and new ones) start open.
    root.append(h('details', { 'data-block': p, class: 'supplier' + (expiring ? ' has-expiring' : ''), open: expiring || !s.name || state.open.has(p) ? true : null },
      h('summary', {}, s.id + ' – ' + s.name + ' ', s.social ? h('span', { class: 'badge social', text: t('social') }) : null,
        expiring ? h('span', { class: 'badge warn', text: t('expires', { n: Math.min(...s.evidence.map((e) => daysBetween(state.today, e.valid_until)).filter((d) => d >= 0)) }) }) : null),
      h('div', { class: 'grid' },
        field(t('id'), p + '.id'),
        field(t('name'), p + '.name'),
        field(t('social'), p + '.social', { type: 'checkbox' }),
        field(t('impact'), p + '.impact.statement', { cls: 'wide' })),
      h('h4', { text: t('identifiers') }),
      (s.identifiers || []).map((x, k) => h('div', { class: 'row', 'data-block': p + '.identifiers[' + k + ']' },
        field(t('scheme'), p + '.identifiers[' + k + '].scheme', { size: 10 }),
        field(t('number'), p + '.identifiers[' + k + '].value', { size: 18 }),
        h('button', { type: 'button', class: 'small secondary', 'aria-label': t('remove') + ' ' + x.scheme + ' ' + x.value,
          onclick: () => { s.identifiers.splice(k, 1); markDirty(); renderSuppliers(); } }, t('remove')))),
      h('button', { type: 'button', class: 'small secondary',
        onclick: () => { s.identifiers = s.identifiers || []; s.identifiers.push({ scheme: 'kvk', value: '' }); markDirty(); renderSuppliers(); } },
        t('addidentifier')),
      (s.impact.figures || []).map((f, k) => h('div', { class: 'row' },
        field(t('figure') + ' ' + f.measure + (f.unit ? ' (' + f.unit + ')' : ''), p + '.impact.figures[' + k + '].value', { type: 'number', step: '1' }))),
      h('h4', { text: t('evidence') }),
      evidence,
      h('button', { type: 'button', class: 'small secondary',
        onclick: () => { s.evidence = s.evidence || []; s.evidence.push({ kind: 'pso-3', valid_from: state.today, valid_until: state.today, reference: '' }); markDirty(); renderSuppliers(); } },
        t('addevidence'))));
  });
  root.append(h('button', { type: 'button', class: 'secondary', onclick: () => {
    state.config.suppliers.push({ id: 'NEW-' + (state.config.suppliers.length + 1), name: '', social: false, identifiers: [], evidence: [], impact: { statement: '', figures: [] } });
    markDirty(); renderSuppliers();
  } }, t('addsupplier')));
}

function supplierName(id) {
  const s = state.config.suppliers.find((x) => x.id === id);
  return s ? s.name : id;
}

function categoryLabel(c) {
  return c.name + ' (' + c.code_system + ' ' + c.code + ')' + (c.departments && c.departments.length ? ' – ' + c.departments.join(', ') : '');
}

function renderCategories() {
  const root = $('categories');
  root.replaceChildren();
  const socialIds = state.config.suppliers.filter((s) => s.social).map((s) => [s.id, s.id + ' – ' + s.name]);
  state.config.categories.forEach((c, i) => {
    const p = 'categories[' + i + ']';
    const list = h('ol', { 'data-block': p + '.social_suppliers' }, c.social_suppliers.map((id, k) => {
      const move = (d) => { const a = c.social_suppliers; [a[k], a[k + d]] = [a[k + d], a[k]]; markDirty(); renderCategories(); document.getElementById('move-' + i + '-' + (k + d) + (d < 0 ? '-up' : '-down'))?.focus(); };
      return h('li', { class: 'row' },
        field(t('supplier') + ' ' + (k + 1), p + '.social_suppliers[' + k + ']', { options: socialIds.some((o) => o[0] === id) ? socialIds : socialIds.concat([[id, id]]) }),
        k === 0 && c.strategy === 'fixed' ? h('span', { class: 'badge default', text: t('defaultbadge') }) : null,
        h('button', { type: 'button', class: 'small secondary', id: 'move-' + i + '-' + k + '-up', disabled: k === 0 ? true : null,
          'aria-label': t('up') + ': ' + supplierName(id), onclick: () => move(-1) }, '↑'),
        h('button', { type: 'button', class: 'small secondary', id: 'move-' + i + '-' + k + '-down', disabled: k === c.social_suppliers.length - 1 ? true : null,
          'aria-label': t('down') + ': ' + supplierName(id), onclick: () => move(1) }, '↓'),
        h('button', { type: 'button', class: 'small secondary', 'aria-label': t('remove') + ': ' + supplierName(id),
          onclick: () => { c.social_suppliers.splice(k, 1); markDirty(); renderCategories(); } }, t('remove')));
    }));
    root.append(h('fieldset', { 'data-block': p, 'data-category': c.code_system + ':' + c.code + (c.departments.length ? '/' + c.departments.join(',') : '') },
      h('legend', { text: categoryLabel(c) }),
      h('div', { class: 'grid' },
        field(t('name'), p + '.name'),
        field(t('nameen'), p + '.name_en'),
        field(t('codesystem'), p + '.code_system'),
        field(t('code'), p + '.code'),
        field(t('departments'), p + '.departments', { list: true }),
        field(t('strategy'), p + '.strategy', { options: [['fixed', t('fixed')], ['rotate', t('rotate')]] }),
        field(t('tolerance'), p + '.price_tolerance', { type: 'number', step: '0.01', min: '0', inputmode: 'decimal' }),
        field(t('shown'), p + '.social_shown', { type: 'number', step: '1', min: '1' })),
      h('h4', { text: t('socialsuppliers') }),
      list,
      h('button', { type: 'button', class: 'small secondary', onclick: () => {
        const free = socialIds.find((o) => !c.social_suppliers.includes(o[0]));
        if (free) { c.social_suppliers.push(free[0]); markDirty(); renderCategories(); }
      } }, t('add')), ' ',
      h('button', { type: 'button', class: 'small secondary', 'aria-label': t('removecategory') + ': ' + categoryLabel(c),
        onclick: () => { state.config.categories.splice(i, 1); markDirty(); renderAll(); } }, t('removecategory'))));
  });
  root.append(h('button', { type: 'button', class: 'secondary', onclick: () => {
    state.config.categories.push({ code_system: 'CPV', code: '', name: '', name_en: '', departments: [], social_suppliers: [], strategy: 'fixed',
      price_tolerance: '0', social_shown: 3, nudges: { shown: ['impact'], norm: null, campaigns: [], endorsement: { nl: '', en: '' } } });
    markDirty(); renderAll(); selectTab('categories');
  } }, t('addcategory')));
  // A strategy change moves the "default" badge.
  root.querySelectorAll('select[data-path$=".strategy"]').forEach((s) => s.addEventListener('change', () => renderCategories()));
}

function localizedFields(labelPrefix, path) {
  const value = getAt(path);
  if (!value) setAt(path, { nl: '', en: '' });
  return [field(labelPrefix + ' – ' + t('textnl'), path + '.nl', { type: 'textarea' }),
          field(labelPrefix + ' – ' + t('texten'), path + '.en', { type: 'textarea' })];
}

function renderMessages() {
  const root = $('messages');
  root.replaceChildren();
  const loaded = JSON.stringify(state.loaded);
  root.append(h('fieldset', { 'data-block': 'nudges' },
    h('legend', { text: t('orgendorsement') }),
    h('div', { class: 'grid' },
      field(t('defaultlanguage'), 'nudges.language', { options: ['nl', 'en'] }),
      localizedFields(t('endorsement'), 'nudges.endorsement')),
    h('h4', { text: t('norm') }),
    h('div', { class: 'grid' },
      field(t('normthreshold'), 'nudges.norm.threshold', { type: 'number', step: '0.01', min: '0' }),
      field(t('normminorders'), 'nudges.norm.min_orders', { type: 'number', step: '1', min: '5' }),
      field(t('normwindow'), 'nudges.norm.window_days', { type: 'number', step: '1', min: '1' })),
    h('h4', { text: t('departmentlanguages') }),
    state.config.nudges.department_languages.map((d, k) => h('div', { class: 'row', 'data-block': 'nudges.department_languages[' + k + ']' },
      field(t('department'), 'nudges.department_languages[' + k + '].name'),
      field(t('language'), 'nudges.department_languages[' + k + '].language', { options: ['nl', 'en'] }),
      h('button', { type: 'button', class: 'small secondary', onclick: () => { state.config.nudges.department_languages.splice(k, 1); markDirty(); renderMessages(); } }, t('remove')))),
    h('button', { type: 'button', class: 'small secondary', onclick: () => { state.config.nudges.department_languages.push({ name: '', language: 'en' }); markDirty(); renderMessages(); } }, t('add')),
    h('h4', { text: t('templates') }),
    h('div', { class: 'grid' }, ['impact', 'norm', 'price'].flatMap((k) => localizedFields(t('template') + ' ' + k, 'nudges.templates.' + k)))));
  state.config.categories.forEach((c, i) => {
    const p = 'categories[' + i + '].nudges';
    const shown = h('div', { class: 'row', role: 'group', 'aria-label': t('nudges') + ' ' + c.name },
      h('span', { text: t('nudges') + ':' }),
      NUDGES.map((n) => {
        const id = nextId();
        return h('span', {}, h('input', { type: 'checkbox', id, 'data-path': p + '.shown', checked: c.nudges.shown.includes(n),
          onchange: (e) => { const set = new Set(c.nudges.shown); e.target.checked ? set.add(n) : set.delete(n);
            setAt(p + '.shown', NUDGES.filter((k) => set.has(k))); } }), h('label', { for: id, text: n }));
      }));
    const campaigns = c.nudges.campaigns.map((k, j) => {
      const cp = p + '.campaigns[' + j + ']';
      return h('div', { class: 'row', 'data-block': cp },
        field(t('from'), cp + '.from', { type: 'date' }), field(t('to'), cp + '.until', { type: 'date' }),
        localizedFields(t('campaigns') + ' ' + (j + 1), cp + '.text'),
        h('button', { type: 'button', class: 'small secondary', onclick: () => { c.nudges.campaigns.splice(j, 1); markDirty(); renderMessages(); } }, t('remove')));
    });
    // The category's own norm: null follows the organisation's settings;
    // switched on it starts from them.
    const own = !!c.nudges.norm;
    const normId = 'own-norm-' + i;
    const org = state.config.nudges.norm;
    const norm = h('div', { 'data-block': p + '.norm' },
      h('h4', { text: t('norm') }),
      h('div', { class: 'row' },
        h('input', { type: 'checkbox', id: normId, checked: own, 'data-path': p + '.norm', 'aria-describedby': normId + '-hint',
          onchange: (e) => {
            setAt(p + '.norm', e.target.checked ? { threshold: org.threshold, min_orders: org.min_orders, window_days: org.window_days } : null);
            renderMessages();
            $(normId).focus();
          } }),
        h('label', { for: normId, text: t('ownnorm') })),
      own ? h('div', { class: 'grid' },
        field(t('normthreshold'), p + '.norm.threshold', { type: 'number', step: '0.01', min: '0', inputmode: 'decimal' }),
        field(t('normminorders'), p + '.norm.min_orders', { type: 'number', step: '1', min: '5' }),
        field(t('normwindow'), p + '.norm.window_days', { type: 'number', step: '1', min: '1' })) : null,
      h('p', { class: 'hint', id: normId + '-hint',
        text: own ? (c.nudges.shown.includes('norm') ? '' : t('normnotshown')) : t('ownnormhint', org) }));
    root.append(h('fieldset', { 'data-block': p },
      h('legend', { text: categoryLabel(c) }), shown, norm,
      h('h4', { text: t('campaigns') }), campaigns,
      h('button', { type: 'button', class: 'small secondary', onclick: () => {
        c.nudges.campaigns.push({ from: state.today, until: state.today, text: { nl: '', en: '' } }); markDirty(); renderMessages();
      } }, t('addcampaign')),
      h('div', { class: 'grid' }, localizedFields(t('categoryendorsement'), p + '.endorsement'))));
  });
  // Filling empty objects is no change of the configuration.
  if (loaded === JSON.stringify(state.loaded)) markDirty();
}

function renderExperiments() {
  const root = $('experiments');
  root.replaceChildren(h('div', { id: 'experiment-results' }));
  state.config.experiments.forEach((x, i) => {
    const p = 'experiments[' + i + ']';
    // The categories come from the configured ones (one box per code);
    // one the experiment names that is not configured stays listed, ticked.
    const key = (c) => c.code_system + ':' + c.code;
    // Named after the entry for every department where a code has several.
    const byKey = new Map();
    for (const c of state.config.categories) {
      if (!c.code || (byKey.has(key(c)) && c.departments.length)) continue;
      byKey.set(key(c), { code_system: c.code_system, code: c.code, label: c.name + ' (' + c.code_system + ' ' + c.code + ')' });
    }
    const options = [...byKey.values()];
    for (const c of x.categories) {
      if (!options.some((o) => key(o) === key(c))) options.push({ code_system: c.code_system, code: c.code, label: c.code_system + ' ' + c.code + ' – ' + t('notconfigured') });
    }
    const cats = h('fieldset', { class: 'choices', 'data-block': p + '.categories' },
      h('legend', { text: t('expcategorieslegend') }),
      options.map((o) => {
        const id = nextId();
        return h('span', { class: 'choice' },
          h('input', { type: 'checkbox', id, 'data-category': key(o), checked: x.categories.some((c) => key(c) === key(o)),
            onchange: (e) => {
              const chosen = new Set(getAt(p + '.categories').map(key));
              if (e.target.checked) chosen.add(key(o)); else chosen.delete(key(o));
              setAt(p + '.categories', options.filter((k) => chosen.has(key(k))).map((k) => ({ code_system: k.code_system, code: k.code })));
            } }),
          h('label', { for: id, text: o.label }));
      }));
    const arms = x.arms.map((a, k) => {
      const ap = p + '.arms[' + k + ']';
      const nid = nextId();
      return h('div', { class: 'row', 'data-block': ap },
        field(t('arm'), ap + '.name', { size: 12 }), field(t('weight'), ap + '.weight', { type: 'number', min: '1', step: '1' }),
        field(t('control'), ap + '.control', { type: 'checkbox' }),
        h('div', { class: 'field' }, h('label', { for: nid, text: t('armnudges') }),
          h('input', { id: nid, 'data-path': ap + '.nudges', value: a.nudges.join(' '),
            oninput: (e) => setAt(ap + '.nudges', e.target.value.split(/\s+/).filter((s) => s)) })),
        h('button', { type: 'button', class: 'small secondary', onclick: () => { x.arms.splice(k, 1); markDirty(); renderExperiments(); } }, t('remove')));
    });
    root.append(h('fieldset', { 'data-block': p },
      h('legend', { text: t('experiment') + ' ' + x.id }),
      h('div', { class: 'grid' }, field(t('id'), p + '.id'), field(t('from'), p + '.from', { type: 'date' }),
        field(t('to'), p + '.until', { type: 'date' }), field(t('minimumeffect'), p + '.minimum_effect', { type: 'number', step: '0.01' })),
      cats,
      h('h4', { text: t('arms') }), arms,
      h('button', { type: 'button', class: 'small secondary', onclick: () => { x.arms.push({ name: 'arm' + (x.arms.length + 1), weight: 1, control: false, nudges: [] }); markDirty(); renderExperiments(); } }, t('addarm')),
      ' ',
      h('button', { type: 'button', class: 'small secondary', onclick: () => { state.config.experiments.splice(i, 1); markDirty(); renderExperiments(); } }, t('remove'))));
  });
  root.append(h('button', { type: 'button', class: 'secondary', onclick: () => {
    state.config.experiments.push({ id: 'experiment-' + (state.config.experiments.length + 1), from: state.today, until: state.today, minimum_effect: '5', categories: [],
      arms: [{ name: 'control', weight: 1, control: true, nudges: [] }, { name: 'default', weight: 1, control: false, nudges: [] }] });
    markDirty(); renderExperiments();
  } }, t('addexperiment')));
  if (state.tab === 'experiments') loadExperimentResults();
}

async function loadExperimentResults() {
  const box = $('experiment-results');
  if (!box) return;
  const response = await api('/console/api/experiments');
  if (!response.ok) { box.replaceChildren(); return; }
  const report = await response.json();
  const pct = (v) => (v == null ? '–' : v + ' %');
  box.replaceChildren(h('h3', { text: t('results') }), ...report.experiments.map((x) => h('table', {},
    h('caption', { text: x.id + ' (' + x.from + ' – ' + x.until + ')' }),
    h('thead', {}, h('tr', {}, [t('arm'), t('orders'), t('socialshare'), t('difference'), t('needed')].map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, x.arms.map((a) => h('tr', {},
      h('th', { scope: 'row', text: a.arm + (a.control ? ' (' + t('control') + ')' : '') }),
      h('td', { class: 'num', text: a.orders }),
      h('td', { class: 'num', text: pct(a.social_share) + (a.social_share_lower != null ? ' (' + t('interval') + ' ' + a.social_share_lower + '–' + a.social_share_upper + ')' : '') }),
      h('td', { class: 'num', text: pct(a.difference) + (a.difference_lower != null ? ' (' + a.difference_lower + '–' + a.difference_upper + ')' : '') }),
      h('td', { class: 'num', text: a.more_orders_needed })))))));
}

// ---- dashboard
function renderFilters() {
  const cat = $('filter-category'), dep = $('filter-department'), prev = $('preview-category');
  const keepCat = cat.value, keepDep = dep.value;
  const codes = [...new Map(state.config.categories.map((c) => [c.code_system + ':' + c.code, c.name])).entries()];
  cat.replaceChildren(h('option', { value: '', text: t('all') }), codes.map(([k, n]) => h('option', { value: k, text: n })));
  cat.value = keepCat;
  const departments = new Set((state.stats ? state.stats.rows : []).map((r) => r.department));
  dep.replaceChildren(h('option', { value: '', text: t('all') }), [...departments].sort().map((d) => h('option', { value: d, text: d || '–' })));
  dep.value = departments.has(keepDep) ? keepDep : '';
  const keepPrev = prev.value;
  prev.replaceChildren(...state.config.categories.map((c, i) => h('option', { value: i, text: categoryLabel(c) })));
  if (keepPrev) prev.value = keepPrev;
  if (!$('preview-candidates').value) {
    $('preview-candidates').value = state.config.suppliers.filter((s) => !s.social).slice(0, 3).map((s, k) => s.id + '=' + (45 + k * 5) + '.00').join(', ');
  }
}

async function loadStats(event) {
  if (event) event.preventDefault();
  const from = $('period-from').value, to = $('period-to').value;
  if (!from || !to) return;
  const response = await api('/console/api/stats?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to));
  const body = await response.json();
  if (!response.ok) { status(body.error || t('failed'), 'bad'); return; }
  state.stats = body;
  renderFilters();
  renderDashboard();
}

// In the organisation's reporting currency, as the export reports.
const money = (minor) => {
  const locale = state.lang === 'en' ? 'en-GB' : 'nl-NL';
  const currency = (state.loaded && state.loaded.organisation.reporting_currency) || 'EUR';
  try { return (minor / 100).toLocaleString(locale, { style: 'currency', currency }); } catch (e) { return (minor / 100).toFixed(2) + ' ' + currency; }
};
const percent = (a, b) => (b ? Math.round((1000 * a) / b) / 10 : 0);

function renderDashboard() {
  const root = $('dashboard');
  const cat = $('filter-category').value, dep = $('filter-department').value;
  const rows = state.stats.rows.filter((r) => (!cat || r.category === cat) && (!dep || r.department === dep));
  if (!rows.length) { root.replaceChildren(h('p', { text: t('nodata') })); return; }
  const sum = (key, list = rows) => list.reduce((n, r) => n + r[key], 0);
  const months = [...new Set(rows.map((r) => r.month))].sort();
  const series = months.map((m) => {
    const of = rows.filter((r) => r.month === m);
    return { month: m, count: percent(sum('social_orders', of), sum('orders', of)), spend: percent(sum('social_spend', of), sum('spend', of)) };
  });
  const offered = sum('kept_default') + sum('other_social') + sum('regular');
  root.replaceChildren(
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { text: t('orders') }), h('div', { class: 'big', text: sum('orders') })),
      h('div', { class: 'card' }, h('div', { text: t('socialshare') + ' (' + t('bycount') + ')' }), h('div', { class: 'big', text: percent(sum('social_orders'), sum('orders')) + ' %' })),
      h('div', { class: 'card' }, h('div', { text: t('socialshare') + ' (' + t('byspend') + ')' }), h('div', { class: 'big', text: percent(sum('social_spend'), sum('spend')) + ' %' })),
      h('div', { class: 'card' }, h('div', { text: t('addressable') }), h('div', { class: 'big', text: money(sum('addressable_spend')) }),
        h('div', { text: t('addressableshare') + ': ' + money(sum('addressable_social_spend')) + ' (' + percent(sum('addressable_social_spend'), sum('addressable_spend')) + ' %)' }))),
    h('h3', { text: t('share') }),
    shareChart(series),
    h('h3', { text: t('kept') + ' / ' + t('othersocial') + ' / ' + t('regular') }),
    outcomeBar([[t('kept'), sum('kept_default'), '#1a6b2f', 'kept'], [t('othersocial'), sum('other_social'), '#0b4f8a', 'other'], [t('regular'), sum('regular'), '#6b6b6b', 'regular']], offered),
    h('h3', { text: t('topsuppliers') }),
    h('table', {}, h('thead', {}, h('tr', {}, [t('supplier'), t('orders'), t('spend')].map((c, i) => h('th', { scope: 'col', class: i ? 'num' : '', text: c })))),
      h('tbody', {}, state.stats.top_social_suppliers.map((s) => h('tr', {}, h('th', { scope: 'row', text: s.supplier + ' – ' + s.name }),
        h('td', { class: 'num', text: s.social_orders }), h('td', { class: 'num', text: money(s.social_spend) }))))));
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

// Two bars per month: the social share by count and by spend, 0–100 %.
function shareChart(series) {
  const w = Math.max(320, 70 * series.length + 60), height = 220, top = 10, bottom = 30, left = 40;
  const y = (v) => top + (height - top - bottom) * (1 - v / 100);
  const svg = s('svg', { width: w, height, viewBox: '0 0 ' + w + ' ' + height, role: 'img', 'aria-labelledby': 'share-title share-desc' });
  svg.append(s('title', { id: 'share-title' }, t('share')));
  svg.append(s('desc', { id: 'share-desc' }, series.map((p) => p.month + ': ' + p.count + ' % ' + t('bycount') + ', ' + p.spend + ' % ' + t('byspend')).join('; ')));
  for (const v of [0, 25, 50, 75, 100]) {
    svg.append(s('line', { x1: left, x2: w - 10, y1: y(v), y2: y(v), stroke: '#c8c8c8' }));
    svg.append(s('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, v + '%'));
  }
  series.forEach((p, i) => {
    const x = left + 10 + i * 70;
    svg.append(s('rect', { x, y: y(p.count), width: 24, height: y(0) - y(p.count), fill: '#1a6b2f' }));
    svg.append(s('rect', { x: x + 26, y: y(p.spend), width: 24, height: y(0) - y(p.spend), fill: '#0b4f8a' }));
    svg.append(s('text', { x: x + 25, y: height - 10, 'text-anchor': 'middle' }, p.month));
  });
  return h('figure', {}, svg, h('figcaption', { class: 'legend' },
    h('span', {}, h('span', { class: 'swatch kept' }), t('bycount')),
    h('span', {}, h('span', { class: 'swatch other' }), t('byspend'))));
}

function outcomeBar(parts, total) {
  const w = 600, height = 28;
  const svg = s('svg', { width: w, height, viewBox: '0 0 ' + w + ' ' + height, role: 'img', 'aria-label': parts.map((p) => p[0] + ': ' + p[1]).join(', ') });
  let x = 0;
  for (const [, n, colour] of parts) {
    const width = total ? (w * n) / total : 0;
    svg.append(s('rect', { x, y: 0, width, height, fill: colour }));
    x += width;
  }
  return h('figure', {}, svg, h('figcaption', { class: 'legend' }, parts.map(([label, n, , cls]) =>
    h('span', {}, h('span', { class: 'swatch ' + cls }), label + ': ' + n + ' (' + percent(n, total) + ' %)'))));
}

// ---- export download: fetched with the token, saved through a blob link
async function download(event) {
  event.preventDefault();
  const from = $('period-from').value, to = $('period-to').value, format = $('export-format').value;
  const url = '/admin/export?from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to) + '&format=' + format +
              '&group-by=' + encodeURIComponent($('export-group').value);
  const response = await api(url);
  if (!response.ok) { const body = await response.json(); status(body.error || t('failed'), 'bad'); return; }
  const blob = await response.blob();
  const link = h('a', { href: URL.createObjectURL(blob), download: 'socialdefault-export-' + from + '-' + to + '.' + format });
  document.body.append(link);
  link.click();
  link.remove();
  status(t('downloaded') + ': ' + link.download, 'ok');
}

// ---- preview
async function preview(event) {
  event.preventDefault();
  const c = state.config.categories[Number($('preview-category').value)];
  const candidates = $('preview-candidates').value.split(',').map((x) => x.trim()).filter((x) => x).map((x, i) => {
    const [id, price] = x.split('=');
    return { supplier_id: id.trim(), price: price ? price.trim() : '', preselected: i === 0 };
  });
  const response = await api('/console/api/preview', { method: 'POST', body: {
    code_system: c.code_system, code: c.code, department: c.departments.length ? c.departments[0] : $('preview-department').value,
    language: $('preview-language').value, candidates } });
  const d = await response.json();
  const box = $('preview-result');
  if (!response.ok) { box.replaceChildren(h('p', { class: 'error', text: d.error })); return; }
  box.replaceChildren(
    h('p', {}, t('reason') + ': ' + d.reason + (d.category ? ' – ' + d.category : '') + ' (' + d.date + ')'),
    h('ol', { class: 'shortlist' }, d.order.map((p) => h('li', {},
      h('input', { type: 'radio', name: 'preview-choice', id: 'pv-' + p.supplier_id, checked: p.preselected }),
      h('label', { for: 'pv-' + p.supplier_id, text: p.supplier_id + ' – ' + p.name }), ' ',
      p.social ? h('span', { class: 'badge social', text: t('social') }) : null, ' ',
      p.preselected ? h('span', { class: 'badge default', text: t('preselected') }) : null, ' ',
      p.injected ? h('span', { class: 'badge warn', text: t('injected') }) : null,
      d.notes.filter((n) => n.target === 'candidate' && n.supplier_id === p.supplier_id).map((n) => h('div', { class: 'note', text: n.text }))))),
    h('h4', { text: t('notes') }),
    h('ul', { class: 'notes' }, d.notes.filter((n) => n.target === 'message').map((n) => h('li', { text: n.kind + ': ' + n.text }))));
}

// ---- changes
async function loadChanges() {
  const response = await api('/console/api/changes?limit=50');
  const body = await response.json();
  const root = $('changes');
  if (!response.ok) { root.replaceChildren(h('p', { class: 'error', text: body.error })); return; }
  root.replaceChildren(h('table', { id: 'changes-table' },
    h('thead', {}, h('tr', {}, [t('at'), t('who'), t('what')].map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, body.changes.map((c) => h('tr', {}, h('td', { text: c.at }), h('td', { text: c.actor }), h('td', { text: c.summary }))))));
}

// ---- language
function applyLanguage() {
  document.documentElement.lang = state.lang;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t(e.dataset.i18n); });
  document.querySelectorAll('.lang').forEach((b) => b.setAttribute('aria-pressed', b.dataset.lang === state.lang ? 'true' : 'false'));
  document.title = t('title');
  if (state.config) {
    renderAll();
    if (state.stats) renderDashboard();
    markDirty();
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', signIn);
  $('logout').addEventListener('click', () => signOut(''));
  document.querySelectorAll('.lang').forEach((b) => b.addEventListener('click', () => {
    state.lang = b.dataset.lang;
    localStorage.setItem('sd-console-lang', state.lang);
    applyLanguage();
  }));
  document.querySelectorAll('[role=tab]').forEach((tab) => tab.addEventListener('click', () => selectTab(tab.dataset.tab)));
  $('tabs').addEventListener('keydown', tabKeys);
  $('period-form').addEventListener('submit', loadStats);
  $('filter-category').addEventListener('change', () => state.stats && renderDashboard());
  $('filter-department').addEventListener('change', () => state.stats && renderDashboard());
  $('export-form').addEventListener('submit', download);
  $('preview-form').addEventListener('submit', preview);
  $('save').addEventListener('click', save);
  $('revert').addEventListener('click', () => { state.config = JSON.parse(JSON.stringify(state.loaded)); clearProblems(); renderAll(); markDirty(); });
  applyLanguage();
  if (state.token) {
    api('/console/api/whoami').then((r) => (r.ok ? r.json().then((b) => start(b.actor)) : signOut(''))).catch(() => {});
  }
});
