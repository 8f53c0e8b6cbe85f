/*
 * fleetdoctor approvals page. Plain JavaScript, no framework, no build step, nothing loaded from
 * outside this remediator.
 *
 * Security model (see WEB.md): every piece of data comes from the JSON API, which requires credentials.
 * GET /api/sign-in (public) says how: 'basic' (dev, test, local) or 'oidc' (prod).
 * - basic: the page is public static content; credentials are kept in this tab (sessionStorage) and sent
 *   explicitly as an Authorization header; fetch() runs with credentials: 'omit', so the browser never
 *   attaches cookies or cached HTTP authentication by itself. A request from another site cannot carry
 *   the header, hence cannot act for the user (CSRF-safe by construction).
 * - oidc: the server let this page load only after the code flow; fetch() sends the session cookie
 *   (credentials: 'same-origin', SameSite=Lax) and GET /api/me says who is signed in. Another site cannot
 *   send the JSON the state-changing endpoints require (415 otherwise, no CORS). A 401 means the session
 *   ended: the page reloads, which signs in again.
 * All server text is inserted with textContent, never as HTML.
 */
'use strict';
(function () {
  const POLL_MS = 2000;
  const STATES = ['PENDING_APPROVAL', 'APPROVED', 'EXECUTING', 'VERIFYING', 'SUCCEEDED', 'REJECTED', 'EXPIRED',
    'STALE', 'FAILED', 'ROLLED_BACK', 'CANCELLED', 'SUPERSEDED', 'SOURCE_CHANGE_PROPOSED'];
  const OPEN_STATES = ['PENDING_APPROVAL', 'APPROVED', 'EXECUTING', 'VERIFYING'];
  const AUTH_KEY = 'fleetdoctor.auth';
  const THEME_KEY = 'fleetdoctor.theme';
  const PROBE_ID = '00000000-0000-0000-0000-000000000000';
  const FLASH_OK_MS = 15000;     // a success message clears after this
  const FLASH_ERROR_MS = 60000;  // an error (and an action's banner) after this

  const app = {
    auth: null,        // {user, header} (basic) or {user, session: true} (oidc)
    signIn: {method: 'basic', signOut: null},  // from GET /api/sign-in
    roles: new Set(),  // viewer / approver / admin
    rolesSource: '',   // 'api' (GET /api/me) or 'probe'
    policy: null,
    timer: null,
    generation: 0,     // bumps on every navigation; stale responses are dropped
    pollSeq: 0,        // bumps on every poll started; only the newest poll schedules the next one
    live: true,        // polling on/off (the user may freeze the view)
    lastKey: {},       // what each section last rendered, to skip identical re-renders
    filter: {state: 'RECENT', cluster: ''},  // open plans and those that changed in the last 24 h: a success stays visible
    plansCache: null,
    flash: null,       // outcome of the last approve/reject, kept across re-renders of the form
    waveSel: [],       // plan ids picked on the plan list for a new wave, in the order picked
    waveForm: {canary: '', size: ''},
    waveResult: null   // outcome of the last wave approval: {waveId, ok, text, approvals}

  };

  // ---------- DOM helpers ----------
  const $ = (id) => document.getElementById(id);

  /** h('td', {className: 'x', dataset: {id: 1}, onclick: f}, 'text', child...) — text is always text. */
  function h(tag, attrs) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const k of Object.keys(attrs)) {
        const v = attrs[k];
        if (v === undefined || v === null || v === false) continue;
        if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k.startsWith('on')) el.addEventListener(k.substring(2), v);
        else if (k === 'className' || k === 'textContent' || k === 'value' || k === 'href' || k === 'type'
          || k === 'disabled' || k === 'title' || k === 'id' || k === 'placeholder' || k === 'hidden'
          || k === 'name' || k === 'required' || k === 'colSpan' || k === 'autocomplete') el[k] = v;
        else el.setAttribute(k, v);
      }
    }
    for (let i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, c) {
    if (c === undefined || c === null || c === false) return;
    if (Array.isArray(c)) { c.forEach((x) => append(el, x)); return; }
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }

  function replace(el, ...kids) {
    el.replaceChildren();
    kids.forEach((k) => append(el, k));
  }

  function badge(state, big) {
    return h('span', {className: 'badge s-' + state + (big ? ' big' : ''), dataset: {state: state}}, state);
  }

  function short(id) { return id ? String(id).substring(0, 8) : ''; }

  function ago(iso) {
    if (!iso) return '';
    const t = Date.parse(iso);
    if (isNaN(t)) return String(iso);
    let s = Math.round((Date.now() - t) / 1000);
    const future = s < 0;
    s = Math.abs(s);
    const txt = s < 60 ? s + 's' : s < 3600 ? Math.floor(s / 60) + 'm' : s < 86400
      ? Math.floor(s / 3600) + 'h' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm'
      : Math.floor(s / 86400) + 'd' + Math.floor((s % 86400) / 3600) + 'h';
    return future ? 'in ' + txt : txt + ' ago';
  }

  /** "2026-11-30 19:42:05 UTC+01:00": date, time and the browser's zone, for a person comparing with logs. */
  function stamp(iso) {
    const d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    const p = (n) => String(n).padStart(2, '0');
    const off = -d.getTimezoneOffset();
    const zone = 'UTC' + (off === 0 ? '' : (off > 0 ? '+' : '-') + p(Math.floor(Math.abs(off) / 60)) + ':' + p(Math.abs(off) % 60));
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' + p(d.getHours()) + ':'
      + p(d.getMinutes()) + ':' + p(d.getSeconds()) + ' ' + zone;
  }

  function time(iso) {
    if (!iso) return h('span', {className: 'muted'}, '—');
    return h('span', {title: iso, className: 'nowrap'}, ago(iso) + ' · ' + stamp(iso));
  }

  function clock(iso) {
    if (!iso) return '';
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toISOString().substring(11, 19) + 'Z';
  }

  /** Durations come as ISO-8601 ("PT24H") or as seconds, depending on the JSON mapper. */
  function duration(v) {
    if (v === null || v === undefined) return '—';
    if (typeof v === 'number') {
      const s = Math.round(v);
      if (s % 3600 === 0 && s >= 3600) return (s / 3600) + 'h';
      if (s % 60 === 0 && s >= 60) return (s / 60) + 'm';
      return s + 's';
    }
    return String(v).replace(/^PT/, '').toLowerCase();
  }

  // ---------- API ----------
  class ApiError extends Error {
    constructor(status, title, detail) {
      super(status + ' ' + title + (detail ? ': ' + detail : ''));
      this.status = status;
      this.title = title;
      this.detail = detail;
    }
  }

  function basicHeader(user, password) {
    const bytes = new TextEncoder().encode(user + ':' + password);
    let bin = '';
    bytes.forEach((b) => { bin += String.fromCharCode(b); });
    return 'Basic ' + btoa(bin);
  }

  async function api(method, path, body, auth) {
    const a = auth || app.auth;
    const headers = {'Accept': 'application/json, application/problem+json'};
    if (a && a.header) headers['Authorization'] = a.header;
    headers['X-Fleetdoctor-Client'] = 'page';  // recorded as channel "page" (ClientChannel)
    const session = app.signIn.method === 'oidc';
    const init = {method: method, headers: headers, credentials: session ? 'same-origin' : 'omit', cache: 'no-store',
      redirect: 'error'};
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ApiError(0, 'Network error', 'the remediator did not answer (' + e.message + ')');
    }
    const text = await res.text();
    let json = null;
    if (text) {
      try { json = JSON.parse(text); } catch (e) { json = null; }
    }
    if (!res.ok) {
      const title = (json && json.title) || res.statusText || 'Error';
      let detail = (json && json.detail) || '';
      if (!detail && res.status === 401) detail = 'not authenticated (wrong user or password, or the session was revoked)';
      if (!detail && res.status === 403) detail = 'your roles do not allow this';
      throw new ApiError(res.status, title, detail);
    }
    return json;
  }

  // ---------- session ----------
  async function detectRoles(auth) {
    // Preferred: an endpoint that says who I am.
    try {
      const me = await api('GET', '/api/me', undefined, auth);
      if (me && Array.isArray(me.roles)) return {roles: new Set(me.roles), source: 'api'};
    } catch (e) {
      if (e.status === 401) throw e;
    }
    // Fallback: the list needs viewer (already proven by the login call); approver is probed with an
    // approval of a plan id that cannot exist: 403 without the role, 404 (nothing done) with it.
    // Admin cannot be probed without side effects, so pause/resume appear only with GET /api/me.
    const roles = new Set(['viewer']);
    try {
      await api('POST', '/api/plans/' + PROBE_ID + '/approve', {}, auth);
      roles.add('approver');
    } catch (e) {
      if (e.status === 401) throw e;
      if (e.status === 404 || e.status === 409 || e.status === 400) roles.add('approver');
    }
    return {roles: roles, source: 'probe'};
  }

  async function login(user, password) {
    const auth = {user: user, header: basicHeader(user, password)};
    const policy = await api('GET', '/api/policy', undefined, auth);
    const r = await detectRoles(auth);
    startSession(auth, r, policy);
    try {
      sessionStorage.setItem(AUTH_KEY, JSON.stringify(auth));
    } catch (e) { /* private mode: the session lasts as long as the page */ }
  }

  function startSession(auth, r, policy) {
    app.auth = auth;
    app.roles = r.roles;
    app.rolesSource = r.source;
    app.policy = policy;
    $('login').hidden = true;
    $('view').hidden = false;
    $('logout').hidden = false;
    const who = $('whoami');
    who.hidden = false;
    replace(who, auth.user, ' ', h('span', {className: 'muted', id: 'roles'},
      '(' + Array.from(app.roles).sort().join(',') + ')'));
    who.title = app.rolesSource === 'api' ? 'roles from /api/me'
      : 'roles probed: viewer and approver are detected, admin is not (needs GET /api/me)';
    renderFleet();
    route();
  }

  function logout(message) {
    if (app.signIn.method === 'oidc') {
      // the session cookie is the credential: end it at the server (and the provider), or sign in again
      app.auth = null;
      clearTimeout(app.timer);
      if (message || !app.signIn.signOut) signInAgain(message);
      else location.assign(app.signIn.signOut);
      return;
    }
    app.auth = null;
    app.roles = new Set();
    app.policy = null;
    app.storms = [];
    app.generation++;
    clearTimeout(app.timer);
    app.lastKey = {};
    $('storms').hidden = true;
    replace($('storms'));
    try { sessionStorage.removeItem(AUTH_KEY); } catch (e) { /* ignore */ }
    $('view').hidden = true;
    replace($('view'));
    $('logout').hidden = true;
    $('whoami').hidden = true;
    $('live').hidden = true;
    $('fleet-status').hidden = true;
    $('admin-controls').hidden = true;
    hideBanner();
    $('login').hidden = false;
    $('login-password').value = '';
    const err = $('login-error');
    err.hidden = !message;
    err.textContent = message || '';
    $('login-user').focus();
  }

  /** oidc: reloading the page runs the code flow again; at most once a minute (no loop on a broken session). */
  function signInAgain(message) {
    const KEY = 'fleetdoctor.reload';
    let last = 0;
    try { last = Number(sessionStorage.getItem(KEY) || 0); } catch (e) { last = 0; }
    if (Date.now() - last > 60000) {
      try { sessionStorage.setItem(KEY, String(Date.now())); } catch (e) { /* ignore */ }
      location.reload();
      return;
    }
    showBanner(new ApiError(401, 'Unauthorized', message || 'the session is not accepted; reload to sign in again'), 'sign-in');
  }

  function loginErrorText(e) {
    if (e.status === 401) return '401 Unauthorized: wrong user name or password.';
    if (e.status === 403) return '403 Forbidden: this user has no fleetdoctor role (viewer, approver or admin).';
    return e.message;
  }

  // ---------- banner ----------
  function showBanner(e, context) {
    const b = $('banner');
    b.hidden = false;
    replace(b, h('strong', null, (context ? context + ': ' : '') + (e.status ? e.status + ' ' + e.title : e.title || 'Error')),
      h('span', {id: 'banner-detail'}, e.detail || ''),
      h('button', {type: 'button', className: 'btn small ghost close', onclick: hideBanner}, 'dismiss'));
    b.dataset.status = String(e.status || 0);
    b.dataset.source = context === 'refresh' ? 'poll' : 'action';
    b.dataset.at = String(Date.now());
  }

  function hideBanner() {
    $('banner').hidden = true;
    replace($('banner'));
  }

  /** Errors of a poll or an action. 401 means the credentials no longer work: back to the login form. */
  function handleError(e, context) {
    if (e instanceof ApiError && e.status === 401) {
      logout('Signed out: the remediator answered 401 (' + (e.detail || 'not authenticated') + ').');
      return;
    }
    showBanner(e instanceof ApiError ? e : new ApiError(0, 'Error', String(e)), context);
  }

  // ---------- fleet status / admin ----------
  function renderFleet() {
    const p = app.policy;
    const fs = $('fleet-status');
    if (!p) { fs.hidden = true; return; }
    fs.hidden = false;
    fs.className = 'fleet-status' + (p.paused ? ' paused' : '');
    fs.textContent = p.paused ? 'FLEET PAUSED' : 'fleet running';
    fs.id = 'fleet-status';
    fs.title = p.paused ? 'no plan starts while the fleet is paused (running plans finish)' : 'plans start when approved';
    const ac = $('admin-controls');
    if (app.roles.has('admin')) {
      ac.hidden = false;
      const key = 'admin:' + p.paused;
      if (app.lastKey.admin !== key) {
        app.lastKey.admin = key;
        replace(ac, p.paused
          ? h('button', {type: 'button', id: 'resume-btn', className: 'btn small', onclick: () => fleetAction('resume')}, 'resume fleet')
          : h('button', {type: 'button', id: 'pause-btn', className: 'btn small reject', onclick: () => fleetAction('pause')}, 'pause fleet'));
      }
    } else {
      ac.hidden = true;
    }
  }

  // ---------- storm guard: one rule opened on too many clusters; paused fleet-wide until an admin resumes ----------
  async function loadStorms() {
    try {
      app.storms = (await api('GET', '/api/storms')).filter((s) => s.active);
    } catch (e) {
      return; // the poll shows its own errors; the storms come back with the next poll
    }
    renderStorms();
  }

  /** Each active storm as one fleet incident: the rule, since when, the clusters it groups; resume for an admin. */
  function renderStorms() {
    const storms = app.storms || [];
    const admin = app.roles.has('admin');
    const key = JSON.stringify([storms, admin]);
    if (app.lastKey.storms === key) return; // keeps a reason being typed
    app.lastKey.storms = key;
    const box = $('storms');
    box.hidden = storms.length === 0;
    replace(box, ...storms.map((s) => h('div', {className: 'storm', dataset: {storm: s.id, rule: s.rule}},
      h('strong', null, 'STORM · ' + s.rule + ' paused fleet-wide'), ' since ', time(s.startedAt),
      ' · opened on ' + s.clusters.length + ' clusters: ',
      ...s.clusters.flatMap((c, i) => [i ? ', ' : '', h('a', {href: '#/fleet/' + encodeURIComponent(c),
        className: 'mono storm-cluster'}, c)]),
      ' · plans are built and may be approved; none starts until resumed ',
      admin ? h('span', {className: 'storm-resume'},
        h('input', {type: 'text', id: 'storm-reason-' + s.id, placeholder: 'reason (required)'}),
        h('button', {type: 'button', className: 'btn small', id: 'storm-resume-' + s.id,
          onclick: () => resumeStorm(s.id)}, 'resume ' + s.rule))
        : h('span', {className: 'muted'}, '(an admin resumes)'))));
  }

  async function resumeStorm(id) {
    const reason = ($('storm-reason-' + id).value || '').trim();
    if (!reason) {
      showBanner(new ApiError(400, 'Reason required', 'say why the storm may resume'), 'resume');
      return;
    }
    try {
      await api('POST', '/api/storms/' + encodeURIComponent(id) + '/resume', {reason: reason});
      hideBanner();
    } catch (e) {
      handleError(e, 'resume');
    }
    await loadStorms();
  }

  async function fleetAction(what) {
    try {
      await api('POST', '/api/fleet/' + what, {});
      app.policy = await api('GET', '/api/policy');
      renderFleet();
      hideBanner();
    } catch (e) {
      handleError(e, what + ' fleet');
    }
  }

  function setLive(ok, text) {
    const l = $('live');
    l.hidden = false;
    l.className = 'live ' + (!app.live ? 'stopped' : ok ? 'ok' : 'err');
    l.textContent = text;
  }

  // ---------- routing and polling ----------
  function parseRoute() {
    const hash = location.hash || '#/';
    const m = hash.match(/^#\/plan\/([^/?#]+)/);
    if (m) return {view: 'plan', id: decodeURIComponent(m[1])};
    const i = hash.match(/^#\/incident\/([^?#]+)/);
    if (i) return {view: 'incident', id: decodeURIComponent(i[1])};
    const wv = hash.match(/^#\/wave\/([^/?#]+)/);
    if (wv) return {view: 'wave', id: decodeURIComponent(wv[1])};
    if (/^#\/waves\b/.test(hash)) return {view: 'waves'};
    const f = hash.match(/^#\/fleet(?:\/([^/?#]+))?/);
    if (f) return {view: 'fleet', cluster: f[1] ? decodeURIComponent(f[1]) : null};
    return {view: 'overview'};
  }

  function route() {
    if (!app.auth) return;
    app.generation++;
    app.lastKey = {admin: app.lastKey.admin};
    app.flash = null;
    app.waveResult = null;
    clearTimeout(app.timer);
    hideBanner();
    const r = parseRoute();
    const view = $('view');
    if (r.view === 'plan') buildPlanSkeleton(view, r.id);
    else if (r.view === 'fleet') buildFleetHealthSkeleton(view, r.cluster);
    else if (r.view === 'incident') buildIncidentSkeleton(view, r.id);
    else if (r.view === 'waves') buildWavesSkeleton(view);
    else if (r.view === 'wave') buildWaveSkeleton(view, r.id);
    else buildOverviewSkeleton(view);
    poll(app.generation);
  }

  async function poll(gen) {
    if (gen !== app.generation || !app.auth) return;
    const seq = ++app.pollSeq;
    const r = parseRoute();
    try {
      const [policy, data] = await Promise.all([
        api('GET', '/api/policy'),
        r.view === 'plan' ? planData(r.id)
          : r.view === 'fleet' ? fleetData(r.cluster)
            : r.view === 'incident' ? api('GET', incidentPath(r.id))
              : r.view === 'waves' ? api('GET', '/api/waves')
                : r.view === 'wave' ? api('GET', '/api/waves/' + encodeURIComponent(r.id)) : api('GET', '/api/plans?size=200')
      ]);
      if (gen !== app.generation || seq !== app.pollSeq) return; // a newer poll renders
      app.policy = policy;
      renderFleet();
      loadStorms();
      if (r.view === 'plan') renderPlan(data);
      else if (r.view === 'fleet') { renderFleetHealth(data.fleet, r.cluster); renderClusterDetail(data.detail); }
      else if (r.view === 'incident') renderIncident(data);
      else if (r.view === 'waves') renderWaves(data);
      else if (r.view === 'wave') renderWave(data);
      else renderOverview(data);
      const b = $('banner');
      if (b.dataset.source === 'poll' || (!b.hidden && Date.now() - Number(b.dataset.at || 0) > FLASH_ERROR_MS)) hideBanner();
      renderFlash();
      setLive(true, (app.live ? 'live · ' : 'frozen · ') + clock(new Date().toISOString()));
    } catch (e) {
      if (gen !== app.generation || seq !== app.pollSeq) return;
      setLive(false, 'update failed · ' + clock(new Date().toISOString()));
      handleError(e, 'refresh');
    }
    if (gen === app.generation && seq === app.pollSeq && app.auth && app.live) {
      clearTimeout(app.timer);
      app.timer = setTimeout(() => poll(gen), POLL_MS);
    }
  }

  function refreshNow() {
    clearTimeout(app.timer);
    poll(app.generation);
  }

  function liveToggle() {
    return h('button', {type: 'button', id: 'live-toggle', className: 'btn small ghost',
      title: 'freeze the view while you read; resume live updates later',
      onclick: (ev) => {
        app.live = !app.live;
        ev.target.textContent = app.live ? 'freeze' : 'resume live';
        if (app.live) refreshNow();
        else { clearTimeout(app.timer); setLive(true, 'frozen'); }
      }}, app.live ? 'freeze' : 'resume live');
  }

  // ---------- fleet health: which clusters report ----------
  function buildFleetHealthSkeleton(view, cluster) {
    replace(view,
      h('div', {className: 'toolbar'}, h('a', {href: '#/', id: 'back'}, '← plans'), liveToggle(),
        h('span', {className: 'spacer'}), h('span', {id: 'fleet-health-note', className: 'muted'})),
      h('section', {className: 'panel'},
        h('header', null, h('h2', null, 'Fleet health'), h('span', {className: 'muted', id: 'fleet-health-count'})),
        h('div', {className: 'body flush', id: 'fleet-health'})),
      cluster ? h('div', {id: 'cluster-detail', dataset: {cluster: cluster}},
        h('h2', {className: 'cluster-title'}, 'Cluster ', h('span', {className: 'mono'}, cluster), ' ',
          h('a', {href: '#/fleet', className: 'muted'}, '(close)')),
        h('div', {className: 'grid2'},
          h('div', null,
            h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Incidents'),
              h('span', {className: 'muted', id: 'cluster-incidents-note'})), h('div', {className: 'body flush', id: 'cluster-incidents'})),
            h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Plans')),
              h('div', {className: 'body flush', id: 'cluster-plans'}))),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Timeline'),
            h('span', {className: 'muted'}, 'signals → incident → plan → approvals → rollout → verification')),
          h('div', {className: 'body flush', id: 'cluster-timeline'})))) : null);
  }

  /** The fleet list and, when a cluster is selected, its incidents, plans and timeline. */
  async function fleetData(cluster) {
    const [fleet, detail] = await Promise.all([api('GET', '/api/fleet/clusters'),
      cluster ? api('GET', '/api/fleet/clusters/' + encodeURIComponent(cluster)) : null]);
    return {fleet: fleet, detail: detail};
  }

  /** The plan and its incident as received (null when the incident is unknown here). */
  async function planData(id) {
    const d = await api('GET', '/api/plans/' + encodeURIComponent(id));
    try {
      d.incident = (await api('GET', incidentPath(d.plan.incidentId))).incident;
    } catch (e) {
      if (e.status !== 404) throw e;
      d.incident = null;
    }
    return d;
  }

  /** Incident ids contain '/': each segment is encoded, the slashes are kept. */
  function incidentPath(id) {
    return '/api/incidents/' + String(id).split('/').map(encodeURIComponent).join('/');
  }

  function incidentHref(id) { return '#/incident/' + encodeURIComponent(id); }

  function sourceCell(s, staleAfter) {
    if (!s) return h('td', {className: 'stale'}, h('span', {className: 'badge s-FAILED'}, 'never heard'));
    return h('td', {className: s.stale ? 'stale' : 'fresh', title: 'event time ' + (s.lastHeartbeat ? stamp(s.lastHeartbeat) : '—')},
      s.stale ? h('span', {className: 'badge s-FAILED'}, 'STALE') : h('span', {className: 'badge s-SUCCEEDED'}, 'ok'),
      ' ', ago(s.lastReceived));
  }

  function renderFleetHealth(f, selected) {
    const key = JSON.stringify([f.clusters, selected, Math.floor(Date.now() / 10000)]);
    if (app.lastKey.fleetHealth === key) return;
    app.lastKey.fleetHealth = key;
    const stale = f.clusters.filter((c) => c.stale).length;
    $('fleet-health-count').textContent = f.clusters.length + ' clusters · ' + stale + ' stale';
    $('fleet-health-note').textContent = 'stale after ' + duration(f.staleAfter) + ' without a heartbeat';
    const rows = f.clusters.map((c) => {
      const live = Object.entries(c.plans || {}).filter(([s]) => OPEN_STATES.indexOf(s) >= 0)
        .map(([s, n]) => n + ' ' + s).join(', ');
      const agents = c.nodeAgents.length === 0 ? h('span', {className: 'muted'}, 'none')
        : h('details', null, h('summary', null, c.nodeAgents.length + ' agents' + (c.staleNodeAgents ? ', ' + c.staleNodeAgents + ' stale' : '')),
          h('ul', {className: 'agents'}, ...c.nodeAgents.map((a) => h('li', {className: a.stale ? 'stale' : 'fresh'},
            a.node + ': ' + (a.stale ? 'STALE, ' : '') + ago(a.lastReceived)))));
      return h('tr', {dataset: {cluster: c.cluster, stale: String(c.stale)},
        className: (c.stale ? 'row-stale' : '') + (c.cluster === selected ? ' selected' : '')},
        h('td', {className: 'mono'}, h('a', {href: '#/fleet/' + encodeURIComponent(c.cluster), className: 'cluster-link'}, c.cluster)),
        h('td', null, c.clusterClass || ''),
        h('td', null, c.registered ? 'registered' : h('span', {className: 'badge s-STALE'}, 'not in registry')),
        sourceCell(c.collector, f.staleAfter), h('td', null, agents),
        h('td', {className: 'num'}, c.openIncidents ? h('a', {href: '#/fleet/' + encodeURIComponent(c.cluster),
          className: 'sev-warning'}, String(c.openIncidents)) : h('span', {className: 'muted'}, '0')),
        h('td', null, live ? h('a', {href: '#/fleet/' + encodeURIComponent(c.cluster)}, live)
          : h('span', {className: 'muted'}, 'no live plan')));
    });
    replace($('fleet-health'), h('table', {className: 'grid', id: 'fleet-health-table'},
      h('thead', null, h('tr', null, ...['cluster', 'class', 'registry', 'collector', 'node agents', 'open incidents', 'live plans']
        .map((t) => h('th', null, t)))),
      h('tbody', null, ...rows)));
  }

  function renderClusterDetail(d) {
    if (!d || !$('cluster-detail')) return;
    section('clusterIncidents', d.incidents, (list) => {
      const open = list.filter((i) => i.status === 'open').length;
      $('cluster-incidents-note').textContent = open + ' open · ' + (list.length - open) + ' resolved';
      replace($('cluster-incidents'), list.length === 0 ? h('div', {className: 'empty'}, 'No incident received.')
        : list.map((i) => incidentCard(i, d.plans.filter((p) => p.incidentId === i.incidentId))));
    });
    section('clusterPlans', d.plans, (list) => replace($('cluster-plans'), planTable(list, 'cluster-plans-table')));
    section('clusterTimeline', d.timeline, (list) => replace($('cluster-timeline'), timelineList(list, 'cluster-timeline-list')));
  }

  /** An incident: status, severity, summary (kept when resolved), times, evidence, links to its plans. */
  function incidentCard(i, plans) {
    return h('div', {className: 'incident' + (i.status === 'open' ? '' : ' resolved'), dataset: {incident: i.incidentId, status: i.status}},
      h('div', {className: 'incident-head'},
        h('span', {className: 'badge ' + (i.status === 'open' ? 's-FAILED' : 's-SUCCEEDED')}, i.status.toUpperCase()), ' ',
        h('span', {className: 'sev-' + i.severity}, i.severity || ''), ' ',
        h('a', {href: incidentHref(i.incidentId), className: 'incident-link'}, i.summary || i.incidentId)),
      h('div', {className: 'muted small'}, h('span', {className: 'mono'}, i.incidentId), ' · opened ', time(i.openedAt),
        i.resolvedAt ? [' · resolved ', time(i.resolvedAt)] : null),
      i.resolveReason ? h('div', {className: 'why resolve-reason'}, i.resolveReason) : null,
      plans && plans.length ? h('div', {className: 'small'}, 'plans: ', plans.map((p, n) => [n ? ' · ' : '',
        h('a', {href: '#/plan/' + encodeURIComponent(p.id), className: 'plan-link'}, 'rev ' + p.revision), ' ', badge(p.state)])) : null,
      evidenceGroups(i.evidence, i.evidenceAt));
  }

  function planTable(list, id) {
    if (!list || list.length === 0) return h('div', {className: 'empty'}, 'No plans.');
    return h('table', {id: id}, h('thead', null, h('tr', null, h('th', null, 'state'), h('th', null, 'plan'),
      h('th', null, 'incident'), h('th', null, 'updated'))),
    h('tbody', null, list.map((p) => h('tr', {dataset: {planId: p.id, state: p.state}},
      h('td', null, badge(p.state)),
      h('td', null, h('a', {href: '#/plan/' + encodeURIComponent(p.id), className: 'plan-link'}, p.summary || '(no summary)'),
        p.revision > 1 ? h('span', {className: 'flag grey'}, 'rev ' + p.revision) : null),
      h('td', {className: 'mono'}, h('a', {href: incidentHref(p.incidentId)}, p.incidentId)),
      h('td', {className: 'nowrap'}, time(p.updatedAt))))));
  }

  function timelineList(list, id) {
    if (!list || list.length === 0) return h('div', {className: 'empty'}, 'Nothing happened yet.');
    return h('ol', {className: 'timeline', id: id}, list.map((e) => h('li', {dataset: {stage: e.stage}},
      h('div', null, h('div', {className: 'when', title: e.at}, stamp(e.at)), h('div', {className: 'who'}, e.actor || '')),
      h('div', null, h('span', {className: 'stage stage-' + e.stage}, e.stage), ' ', e.what,
        e.planId ? [' ', h('a', {href: '#/plan/' + encodeURIComponent(e.planId), className: 'small'}, 'plan ' + short(e.planId))] : null))));
  }

  /** Evidence by kind; within a kind, one collapsed group per node when there are many nodes. */
  function evidenceGroups(ev, at) {
    if (!ev || ev.length === 0) return h('div', {className: 'empty evidence-empty'}, 'No evidence.');
    const kinds = new Map();
    ev.forEach((e) => {
      const k = String(e.type || '?').replace(/^io\.fleetdoctor\.signal\./, '').replace(/\.v\d+$/, '');
      if (!kinds.has(k)) kinds.set(k, []);
      kinds.get(k).push(e);
    });
    const fact = (e) => h('li', {title: e.signalId || ''}, e.node ? h('span', {className: 'mono'}, e.node + ': ') : null, e.fact || '');
    return h('div', {className: 'evidence-groups'}, Array.from(kinds.entries()).map(([k, list]) => {
      const nodes = new Map();
      list.forEach((e) => { const n = e.node || '—'; if (!nodes.has(n)) nodes.set(n, []); nodes.get(n).push(e); });
      return h('div', {className: 'evidence-kind', dataset: {kind: k}},
        h('div', {className: 'kind-head'}, h('b', {className: 'mono'}, k), ' ',
          h('span', {className: 'muted'}, list.length + ' fact(s) · ' + nodes.size + ' node(s)' + (at ? ' · as of ' + stamp(at) : ''))),
        nodes.size > 3
          ? Array.from(nodes.entries()).map(([n, l]) => h('details', {className: 'evidence-node', dataset: {node: n}},
            h('summary', null, h('span', {className: 'mono'}, n), ' · ' + l.length + ' fact(s)'),
            h('ul', null, l.map((e) => h('li', {title: e.signalId || ''}, e.fact || '')))))
          : h('ul', null, list.map(fact)));
    }));
  }

  // ---------- one incident ----------
  function buildIncidentSkeleton(view, id) {
    replace(view,
      h('div', {className: 'toolbar'}, h('a', {href: '#/fleet', id: 'back'}, '← fleet'), h('span', {className: 'muted mono'}, id),
        liveToggle()),
      h('div', {id: 'incident-head'}),
      h('div', {className: 'grid2'},
        h('div', null,
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Evidence')), h('div', {className: 'body', id: 'incident-evidence'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Plans')), h('div', {className: 'body flush', id: 'incident-plans'}))),
        h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Timeline')), h('div', {className: 'body flush', id: 'incident-timeline'}))));
  }

  function renderIncident(d) {
    const i = d.incident;
    section('incidentHead', [d, Math.floor(Date.now() / 30000)], () => {
      const kv = [];
      const add = (k, v) => kv.push(h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v));
      if (i) {
        document.title = i.status + ' · ' + i.cluster + ' · fleetdoctor';
        add('cluster', h('a', {href: '#/fleet/' + encodeURIComponent(i.cluster)}, i.cluster)); add('rule', i.rule);
        add('severity', h('span', {className: 'sev-' + i.severity}, i.severity));
        add('confidence', i.confidence == null ? null : i.confidence.toFixed(2));
        add('opened', time(i.openedAt)); add('updated', time(i.updatedAt));
        add('resolved', i.resolvedAt ? time(i.resolvedAt) : null); add('decisions', String(i.decisions));
      }
      replace($('incident-head'), h('section', {className: 'panel'}, h('div', {className: 'body'},
        h('div', {className: 'plan-head'},
          i ? h('span', {id: 'incident-status', className: 'badge big ' + (i.status === 'open' ? 's-FAILED' : 's-SUCCEEDED')},
            i.status.toUpperCase()) : null,
          h('h1', {id: 'incident-summary'}, i ? i.summary : 'Incident not received (plans only)')),
        i && i.resolveReason ? h('div', {className: 'callout', id: 'incident-resolve-reason'}, i.resolveReason) : null,
        h('dl', {className: 'kv'}, kv))));
    });
    section('incidentEvidence', i ? [i.evidence, i.evidenceAt] : null,
      () => replace($('incident-evidence'), evidenceGroups(i ? i.evidence : [], i ? i.evidenceAt : null)));
    section('incidentPlans', d.plans, (list) => replace($('incident-plans'), planTable(list, 'incident-plans-table')));
    section('incidentTimeline', d.timeline, (list) => replace($('incident-timeline'), timelineList(list, 'incident-timeline-list')));
  }

  // ---------- overview ----------
  function buildOverviewSkeleton(view) {
    replace(view,
      h('div', {className: 'toolbar'},
        h('span', {id: 'state-chips', className: 'toolbar'}),
        h('input', {id: 'cluster-filter', placeholder: 'filter cluster / text', value: app.filter.cluster,
          oninput: (ev) => { app.filter.cluster = ev.target.value; rerenderOverview(); }}),
        liveToggle(),
        h('span', {className: 'spacer'}),
        h('span', {id: 'policy-line', className: 'policy-line'})),
      h('section', {className: 'panel'},
        h('header', null, h('h2', null, 'Clusters'), h('span', {className: 'muted', id: 'clusters-note'})),
        h('div', {className: 'body flush', id: 'clusters'})),
      app.roles.has('approver') ? h('section', {className: 'panel', id: 'wave-create'},
        h('header', null, h('h2', null, 'New canary wave'),
          h('span', {className: 'muted'}, 'tick PENDING_APPROVAL plans of the same fix below, one per cluster')),
        h('div', {className: 'body', id: 'wave-create-body'})) : null,
      h('section', {className: 'panel'},
        h('header', null, h('h2', null, 'Plans by cluster'), h('span', {className: 'muted', id: 'plans-note'})),
        h('div', {className: 'body flush', id: 'plans'})));
    renderWaveCreate();
  }

  /** The picked plans, the canary and the wave size; POST /api/waves, then the new wave's page. */
  function renderWaveCreate() {
    const body = $('wave-create-body');
    if (!body) return;
    const byId = new Map(((app.plansCache && app.plansCache.items) || []).map((p) => [p.id, p]));
    const picked = app.waveSel.map((id) => byId.get(id)).filter((p) => p);
    app.lastKey.waveCreate = JSON.stringify(picked.map((p) => p.id));
    const clusters = picked.map((p) => p.cluster);
    if (clusters.indexOf(app.waveForm.canary) < 0) app.waveForm.canary = clusters[0] || '';
    const canary = h('select', {id: 'wave-canary', onchange: (ev) => { app.waveForm.canary = ev.target.value; }},
      clusters.map((c) => h('option', {value: c, selected: c === app.waveForm.canary ? 'selected' : null}, c)));
    const size = h('input', {id: 'wave-size', type: 'number', min: '1', max: '100', placeholder: 'default 5',
      value: app.waveForm.size, oninput: (ev) => { app.waveForm.size = ev.target.value; }});
    const result = h('div', {id: 'wave-create-result', hidden: true});
    const button = h('button', {type: 'submit', id: 'wave-create-btn', className: 'btn primary',
      disabled: picked.length < 2}, 'Create wave');
    replace(body, h('form', {id: 'wave-create-form', onsubmit: async (ev) => {
      ev.preventDefault();
      const req = {plans: picked.map((p) => p.id), canaryCluster: app.waveForm.canary || null};
      if (String(app.waveForm.size).trim()) req.waveSize = Number(app.waveForm.size);
      button.disabled = true;
      try {
        const w = await api('POST', '/api/waves', req);
        app.waveSel = [];
        app.waveForm = {canary: '', size: ''};
        location.hash = '#/wave/' + encodeURIComponent(w.id);
      } catch (e) {
        if (e.status === 401) { handleError(e); return; }
        result.hidden = false;
        result.className = 'form-error';
        result.textContent = e.message;  // the problem detail: which plan, why (409/400)
        button.disabled = false;
      }
    }}, h('div', {className: 'row'},
      h('span', {id: 'wave-selected'}, picked.length + ' plan(s) picked' + (picked.length ? ': ' + clusters.join(', ') : '')),
      h('label', null, 'canary ', canary), h('label', null, 'wave size ', size), button,
      picked.length ? h('button', {type: 'button', className: 'btn small ghost', id: 'wave-clear',
        onclick: () => { app.waveSel = []; renderWaveCreate(); rerenderOverview(); }}, 'clear') : null), result));
  }

  function toggleWavePick(id, on) {
    app.waveSel = app.waveSel.filter((x) => x !== id);
    if (on) app.waveSel.push(id);
    renderWaveCreate();
  }

  function rerenderOverview() {
    if (app.plansCache) {
      app.lastKey.overview = null;
      renderOverview(app.plansCache);
    }
  }

  /**
   * Open, or ended in the last 24 hours (a success stays visible): what a person coming back to the page wants to
   * see first. A superseded plan is not an outcome: its incident's newer plan is shown instead.
   */
  function recent(p) {
    return OPEN_STATES.indexOf(p.state) >= 0 || (p.state !== 'SUPERSEDED' && p.updatedAt
      && Date.now() - Date.parse(p.updatedAt) < 24 * 3600 * 1000);
  }

  function matchesFilter(p) {
    const f = app.filter;
    if (f.state === 'OPEN' && OPEN_STATES.indexOf(p.state) < 0) return false;
    if (f.state === 'RECENT' && !recent(p)) return false;
    if (f.state !== 'OPEN' && f.state !== 'RECENT' && f.state !== 'ALL' && p.state !== f.state) return false;
    if (f.cluster) {
      const q = f.cluster.toLowerCase();
      const hay = [p.cluster, p.clusterClass, p.summary, p.incidentId, p.id].join(' ').toLowerCase();
      if (hay.indexOf(q) < 0) return false;
    }
    return true;
  }

  function renderOverview(page) {
    app.plansCache = page;
    const items = (page && page.items) || [];
    const pickedKey = JSON.stringify(app.waveSel.filter((id) => items.some((p) => p.id === id)));
    if (app.lastKey.waveCreate !== pickedKey) renderWaveCreate();
    const key = JSON.stringify([page, app.filter, Math.floor(Date.now() / 30000)]);
    if (app.lastKey.overview === key) return;
    app.lastKey.overview = key;

    // policy line
    const p = app.policy;
    if (p) {
      const classes = Object.keys(p.classApprovals || {}).map((c) => c + ':' + p.classApprovals[c]).join(' ');
      $('policy-line').textContent = 'policy · approvals ' + p.defaultApprovals + (classes ? ' (' + classes + ')' : '')
        + ' · expiry ' + duration(p.expiry) + ' · max executing ' + p.maxExecuting + ' · cooldown ' + duration(p.cooldown);
    }

    // state chips with counts
    const counts = {};
    items.forEach((it) => { counts[it.state] = (counts[it.state] || 0) + 1; });
    const openCount = items.filter((it) => OPEN_STATES.indexOf(it.state) >= 0).length;
    const chip = (value, label, n) => h('button', {type: 'button', className: 'chip' + (app.filter.state === value ? ' active' : ''),
      dataset: {state: value}, onclick: () => { app.filter.state = value; rerenderOverview(); }},
      label, h('span', {className: 'n'}, String(n)));
    const chips = [chip('RECENT', 'open + last 24 h', items.filter(recent).length), chip('OPEN', 'open', openCount),
      chip('ALL', 'all', items.length)];
    STATES.forEach((s) => { if (counts[s]) chips.push(chip(s, s, counts[s])); });
    replace($('state-chips'), chips);

    // clusters
    const byCluster = new Map();
    items.forEach((it) => {
      if (!byCluster.has(it.cluster)) byCluster.set(it.cluster, []);
      byCluster.get(it.cluster).push(it);
    });
    const clusterNames = Array.from(byCluster.keys()).sort((a, b) => {
      const pa = byCluster.get(a).some((x) => x.state === 'PENDING_APPROVAL') ? 0 : 1;
      const pb = byCluster.get(b).some((x) => x.state === 'PENDING_APPROVAL') ? 0 : 1;
      return pa - pb || a.localeCompare(b);
    });
    const count = (list, states) => list.filter((x) => states.indexOf(x.state) >= 0).length;
    const cell = (n, cls) => h('td', {className: 'num'}, n ? h('span', {className: cls || ''}, String(n)) : h('span', {className: 'muted'}, '0'));
    if (clusterNames.length === 0) {
      replace($('clusters'), h('div', {className: 'empty'}, 'No plans yet. Plans appear here when the analyzer opens an incident.'));
    } else {
      replace($('clusters'), h('table', {id: 'clusters-table'},
        h('thead', null, h('tr', null, h('th', null, 'cluster'), h('th', null, 'class'),
          h('th', {className: 'num'}, 'pending'), h('th', {className: 'num'}, 'in flight'),
          h('th', {className: 'num'}, 'failed'), h('th', {className: 'num'}, 'done'), h('th', null, 'latest plan'))),
        h('tbody', null, clusterNames.map((c) => {
          const list = byCluster.get(c);
          const latest = list[0];
          return h('tr', {className: 'clickable', dataset: {cluster: c},
            onclick: () => { app.filter.cluster = c; app.filter.state = 'ALL'; $('cluster-filter').value = c; rerenderOverview(); }},
          h('td', {className: 'mono'}, c), h('td', null, latest.clusterClass || ''),
          cell(count(list, ['PENDING_APPROVAL']), 'sev-warning'), cell(count(list, ['APPROVED', 'EXECUTING', 'VERIFYING'])),
          cell(count(list, ['FAILED', 'ROLLED_BACK']), 'sev-critical'), cell(count(list, ['SUCCEEDED'])),
          h('td', null, badge(latest.state), ' ', time(latest.updatedAt)));
        }))));
    }
    $('clusters-note').textContent = clusterNames.length + ' cluster(s)';

    // plans grouped by cluster (the remediator exposes plans, one per incident)
    const shown = items.filter(matchesFilter);
    const total = page ? page.total : 0;
    $('plans-note').textContent = shown.length + ' shown · ' + items.length + ' loaded'
      + (total > items.length ? ' of ' + total + ' (newest first)' : '');
    if (shown.length === 0) {
      replace($('plans'), h('div', {className: 'empty', id: 'plans-empty'},
        items.length ? 'No plan matches the filter.' : 'No plans.'));
      return;
    }
    const rows = [];
    const picking = app.roles.has('approver');
    clusterNames.forEach((c) => {
      const list = byCluster.get(c).filter(matchesFilter);
      if (list.length === 0) return;
      rows.push(h('tr', {className: 'group'}, h('td', {colSpan: picking ? 9 : 8},
        h('span', {className: 'mono'}, c), ' ', h('span', {className: 'muted'}, (list[0].clusterClass || '') + ' · ' + list.length + ' plan(s)'))));
      list.forEach((it) => {
        const href = '#/plan/' + encodeURIComponent(it.id);
        rows.push(h('tr', {className: 'clickable plan-row', dataset: {planId: it.id, cluster: it.cluster, state: it.state},
          onclick: (ev) => { if (ev.target.tagName !== 'A' && ev.target.tagName !== 'INPUT') location.hash = href; }},
        picking ? h('td', null, it.state === 'PENDING_APPROVAL' ? h('input', {type: 'checkbox', className: 'wave-pick',
          title: 'add to a new canary wave', dataset: {planId: it.id}, checked: app.waveSel.indexOf(it.id) >= 0 ? 'checked' : null,
          onchange: (ev) => toggleWavePick(it.id, ev.target.checked)}) : null) : null,
        h('td', null, badge(it.state)),
        h('td', {className: 'summary-cell'}, h('a', {href: href, className: 'plan-link'}, it.summary || '(no summary)'),
          it.needsIfaceOverride ? h('span', {className: 'flag warn', title: 'an approver must supply the interface'}, 'needs iface') : null,
          it.blockedReason ? h('span', {className: 'flag bad', title: it.blockedReason}, 'blocked') : null,
          it.managedBy ? h('span', {className: 'flag warn', title: 'managed by ' + it.managedBy
            + (it.liveExecutable ? '; an admin allowed a live change' : ': the change belongs at the source')},
          'managed: ' + it.managedBy) : null,
          it.revision > 1 ? h('span', {className: 'flag grey', title: 'plan ' + it.revision + ' of this incident'},
            'rev ' + it.revision) : null),
        h('td', {className: 'mono nowrap', title: it.incidentId}, it.incidentId),
        h('td', {className: 'sev-' + it.severity}, it.severity || ''),
        h('td', {className: 'num', title: 'distinct approvers of the current diff / required'}, it.approvals + '/' + it.approvalsRequired),
        h('td', {className: 'nowrap'}, time(it.createdAt)),
        h('td', {className: 'nowrap'}, time(it.updatedAt)),
        h('td', {className: 'nowrap'}, it.state === 'PENDING_APPROVAL' ? time(it.expiresAt) : h('span', {className: 'muted'}, '—'))));
      });
    });
    replace($('plans'), h('table', {id: 'plans-table'},
      h('thead', null, h('tr', null, picking ? h('th', {title: 'pick for a canary wave'}, 'wave') : null,
        h('th', null, 'state'), h('th', null, 'plan'), h('th', null, 'incident'),
        h('th', null, 'sev'), h('th', {className: 'num'}, 'appr'), h('th', null, 'created'), h('th', null, 'updated'),
        h('th', null, 'expires'))),
      h('tbody', null, rows)));
  }

  // ---------- canary waves ----------
  function buildWavesSkeleton(view) {
    replace(view,
      h('div', {className: 'toolbar'}, h('a', {href: '#/', id: 'back'}, '← plans'), liveToggle(), h('span', {className: 'spacer'}),
        h('span', {className: 'muted'}, app.roles.has('approver') ? 'create a wave from the plan list' : '')),
      h('section', {className: 'panel'},
        h('header', null, h('h2', null, 'Canary waves'), h('span', {className: 'muted', id: 'waves-note'})),
        h('div', {className: 'body flush', id: 'waves'})));
  }

  function renderWaves(list) {
    section('waves', [list, Math.floor(Date.now() / 30000)], () => {
      $('waves-note').textContent = list.length + ' wave(s), newest first';
      if (list.length === 0) {
        replace($('waves'), h('div', {className: 'empty', id: 'waves-empty'}, 'No canary waves.'));
        return;
      }
      replace($('waves'), h('table', {id: 'waves-table'},
        h('thead', null, h('tr', null, ...['state', 'wave', 'canary', 'members', 'size', 'by', 'created'].map((t) => h('th', null, t)))),
        h('tbody', null, list.map((w) => {
          const href = '#/wave/' + encodeURIComponent(w.id);
          const released = w.members.filter((m) => m.released).length;
          return h('tr', {className: 'clickable wave-row', dataset: {waveId: w.id, state: w.state},
            onclick: (ev) => { if (ev.target.tagName !== 'A') location.hash = href; }},
          h('td', null, badge(w.state), w.haltedReason ? h('div', {className: 'why'}, w.haltedReason) : null),
          h('td', null, h('a', {href: href, className: 'wave-link mono'}, short(w.id)), ' ', h('span', {className: 'muted'}, w.rule || '')),
          h('td', {className: 'mono'}, w.canaryCluster),
          h('td', null, w.members.length + ' · ' + released + ' released'),
          h('td', {className: 'num'}, String(w.waveSize)),
          h('td', {className: 'mono'}, w.createdBy || ''),
          h('td', {className: 'nowrap'}, time(w.createdAt)));
        }))));
    });
  }

  function buildWaveSkeleton(view, id) {
    replace(view,
      h('div', {className: 'toolbar'}, h('a', {href: '#/waves', id: 'back'}, '← waves'), h('span', {className: 'muted mono'}, id),
        liveToggle()),
      h('div', {id: 'wave-head'}),
      h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Members'),
        h('span', {className: 'muted'}, 'in release order: the canary (wave 0) first')),
      h('div', {className: 'body flush', id: 'wave-members'})),
      h('section', {className: 'panel actions'}, h('header', null, h('h2', null, 'Approve the wave')),
        h('div', {className: 'body', id: 'wave-actions'})));
  }

  function renderWave(w) {
    document.title = w.state + ' · wave · fleetdoctor';
    section('waveHead', [w.state, w.haltedReason, w.waveHash, w.fix, w.updatedAt, w.finishedAt, Math.floor(Date.now() / 30000)], () => {
      const kv = [];
      const add = (k, v) => kv.push(h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v));
      add('canary', h('span', {className: 'mono', id: 'wave-canary'}, w.canaryCluster));
      add('wave size', h('span', {id: 'wave-size-value'}, String(w.waveSize)));
      add('rule', w.rule); add('created', [w.createdBy || '', ' · ', time(w.createdAt)]);
      add('updated', time(w.updatedAt)); add('finished', w.finishedAt ? time(w.finishedAt) : null);
      add('wave hash', h('span', {className: 'mono', title: w.waveHash}, short(w.waveHash)));
      add('fix', h('span', {className: 'mono small', id: 'wave-fix'}, w.fix));
      replace($('wave-head'),
        w.haltedReason ? h('div', {className: 'callout bad halted', id: 'wave-halted'}, 'HALTED: ', w.haltedReason,
          h('div', {className: 'small'}, 'Nothing further is released; held members will not run.')) : null,
        h('section', {className: 'panel'}, h('div', {className: 'body'},
          h('div', {className: 'plan-head'}, h('span', {id: 'wave-state'}, badge(w.state, true)),
            h('h1', null, 'Canary wave ', h('span', {className: 'mono'}, short(w.id)))),
          h('dl', {className: 'kv'}, kv))));
    });
    section('waveMembers', [w.members, Math.floor(Date.now() / 30000)], () => {
      replace($('wave-members'), h('table', {id: 'wave-members-table'},
        h('thead', null, h('tr', null, ...['#', 'wave', 'cluster', 'class', 'release', 'plan', 'approvals'].map((t) => h('th', null, t)))),
        h('tbody', null, w.members.map((m) => h('tr', {className: 'wave-member' + (m.heldReason ? ' held' : ''),
          dataset: {planId: m.planId, cluster: m.cluster, wave: String(m.wave), released: String(m.released), planState: m.planState}},
        h('td', {className: 'num'}, String(m.position)),
        h('td', null, m.wave === 0 ? h('b', null, 'canary') : 'wave ' + m.wave),
        h('td', {className: 'mono'}, h('a', {href: '#/fleet/' + encodeURIComponent(m.cluster)}, m.cluster)),
        h('td', null, m.clusterClass || ''),
        h('td', {className: 'release'}, m.released ? ['released ', time(m.releasedAt)]
          : m.heldReason ? h('span', {className: 'fail held-reason'}, 'held: ' + m.heldReason) : h('span', {className: 'muted'}, 'waiting')),
        h('td', null, badge(m.planState), ' ', h('a', {href: '#/plan/' + encodeURIComponent(m.planId), className: 'plan-link mono'}, short(m.planId))),
        h('td', {className: 'num approvals'}, m.approvals + '/' + m.approvalsRequired))))));
    });
    section('waveActions', [w.id, w.state, w.waveHash, w.members.map((m) => m.planState), Array.from(app.roles)], () => renderWaveActions(w));
    renderWaveResult();
  }

  function renderWaveActions(w) {
    const box = $('wave-actions');
    if (!app.roles.has('approver')) {
      replace(box, h('div', {className: 'readonly', id: 'wave-readonly-note'}, 'Read only: approving a wave needs the approver role.'));
      return;
    }
    const pending = w.members.filter((m) => m.planState === 'PENDING_APPROVAL');
    const result = h('div', {id: 'wave-approve-result', hidden: true});
    if (w.state !== 'RUNNING' || pending.length === 0) {
      replace(box, h('div', {className: 'readonly', id: 'wave-no-action'}, 'Nothing to approve: the wave is ', badge(w.state),
        pending.length ? '' : ', no member awaits approval', '.'), result);
      return;
    }
    const comment = h('input', {id: 'wave-approve-comment', placeholder: 'optional comment'});
    const button = h('button', {type: 'submit', id: 'wave-approve-btn', className: 'btn approve'}, 'Approve wave');
    replace(box, h('form', {id: 'wave-approve-form', onsubmit: async (ev) => {
      ev.preventDefault();
      button.disabled = true;
      try {
        // the hash this page shows: a changed member plan makes the server answer 409, nothing approved
        const r = await api('POST', '/api/waves/' + encodeURIComponent(w.id) + '/approve',
          {waveHash: w.waveHash, comment: comment.value.trim() || null});
        const refused = r.approvals.filter((a) => a.refused).length;
        app.waveResult = {waveId: w.id, ok: refused === 0, approvals: r.approvals, at: Date.now(),
          text: 'Approved by ' + app.auth.user + ': ' + (r.approvals.length - refused) + ' member(s) approved, ' + refused + ' refused'};
        hideBanner();
      } catch (e) {
        if (e.status === 401) { handleError(e); return; }
        app.waveResult = {waveId: w.id, ok: false, text: e.message, approvals: [], at: Date.now()};
        button.disabled = false;
      }
      renderWaveResult();
      refreshNow();
    }},
    h('div', {className: 'row'}, 'Approves, as ', app.auth.user, ', every member awaiting approval (', String(pending.length),
      ') under its cluster\'s policy, for wave hash ', h('code', {id: 'wave-approve-hash', title: w.waveHash}, w.waveHash)),
    h('div', {className: 'row'}, h('label', null, 'comment', comment)),
    h('div', {className: 'row'}, button)), result);
  }

  /** The outcome of the last wave approval: per member, approved (its state now) or refused and why. */
  function renderWaveResult() {
    const el = $('wave-approve-result');
    const f = app.waveResult;
    const r = parseRoute();
    if (!el) return;
    if (!f || r.view !== 'wave' || r.id !== f.waveId || Date.now() - f.at > FLASH_ERROR_MS) { el.hidden = true; return; }
    el.hidden = false;
    el.className = f.ok ? 'form-ok' : 'form-error';
    replace(el, h('div', {id: 'wave-approve-summary'}, f.text),
      f.approvals.length ? h('ul', {id: 'wave-approve-list'}, f.approvals.map((a) => h('li',
        {dataset: {planId: a.planId, cluster: a.cluster, state: a.state || '', refused: String(!!a.refused)}},
        h('span', {className: 'mono'}, a.cluster), ': ',
        a.refused ? 'refused' + (a.refusedStatus ? ' (' + a.refusedStatus + ')' : '') + ': ' + a.refused : 'approval recorded, plan now ' + a.state))) : null);
  }

  // ---------- one plan ----------
  function buildPlanSkeleton(view, id) {
    replace(view,
      h('div', {className: 'toolbar'}, h('a', {href: '#/', id: 'back'}, '← fleet'), h('span', {className: 'muted mono'}, id),
        liveToggle()),
      h('div', {id: 'plan-head'}),
      h('div', {id: 'plan-callouts'}),
      h('div', {className: 'grid2'},
        h('div', null,
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Pre-checks')), h('div', {className: 'body flush', id: 'checks'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Diff'), h('span', {id: 'diffstat', className: 'diffstat'}),
            h('span', {className: 'spacer'}), h('span', {id: 'daemonsets', className: 'muted mono'})),
          h('div', {className: 'body flush', id: 'diff-wrap'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Evidence')), h('div', {className: 'body flush', id: 'evidence'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Recommendation')), h('div', {className: 'body', id: 'recommendation'}))),
        h('div', null,
          h('section', {className: 'panel actions'}, h('header', null, h('h2', null, 'Decision')), h('div', {className: 'body', id: 'actions'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'Approvals'), h('span', {className: 'muted', id: 'approvals-note'})),
            h('div', {className: 'body flush', id: 'approvals'})),
          h('section', {className: 'panel'}, h('header', null, h('h2', null, 'History')), h('div', {className: 'body flush', id: 'history'})))));
  }

  function section(name, data, render) {
    const key = JSON.stringify(data === undefined ? null : data);
    if (app.lastKey[name] === key) return;
    app.lastKey[name] = key;
    render(data);
  }

  function renderPlan(d) {
    const p = d.plan;
    document.title = p.state + ' · ' + p.cluster + ' · fleetdoctor';
    section('head', [d, Math.floor(Date.now() / 30000)], () => {
      const kv = [];
      const add = (k, v) => kv.push(h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v));
      add('cluster', p.cluster); add('class', p.clusterClass);
      add('incident', h('a', {href: incidentHref(p.incidentId), id: 'plan-incident'}, p.incidentId)); add('rule', d.rule);
      add('severity', h('span', {className: 'sev-' + p.severity}, p.severity)); add('confidence', d.confidence == null ? null : d.confidence.toFixed(2));
      add('approvals', p.approvals + ' of ' + p.approvalsRequired); add('interface', d.ifaceOverride ? d.ifaceOverride + ' (override)' : d.iface || d.ifaceRegex);
      add('created', time(p.createdAt));
      add('updated', time(p.updatedAt));
      add('expires', p.state === 'PENDING_APPROVAL' || p.state === 'APPROVED' ? h('span', {title: p.expiresAt}, ago(p.expiresAt)) : null);
      add('approved', d.approvedAt ? time(d.approvedAt) : null);
      add('executing since', d.executionStartedAt ? time(d.executionStartedAt) : null);
      add('verify until', d.verifyUntil ? time(d.verifyUntil) : null);
      add('finished', d.finishedAt ? time(d.finishedAt) : null);
      add('plan version', String(d.version));
      add('plan hash', h('span', {className: 'mono', id: 'plan-hash', title: 'approvals carry this hash: ' + d.planHash},
        short(d.planHash)));
      add('revision', h('span', {id: 'plan-revision'}, String(d.revision),
        (d.incidentPlans || []).length > 1 ? ' of ' + d.incidentPlans.length : ''));
      add('managed by', d.owner ? d.owner.manager : null);
      replace($('plan-head'),
        h('section', {className: 'panel'}, h('div', {className: 'body'},
          h('div', {className: 'plan-head'}, h('span', {id: 'plan-state'}, badge(p.state, true)),
            h('h1', {id: 'plan-summary'}, (d.incident && d.incident.summary) || p.summary || '(no summary)')),
          incidentLine(d.incident), outcomeLine(d),
          h('dl', {className: 'kv'}, kv))));
    });
    section('callouts', [p.blockedReason, p.needsIfaceOverride, p.state, d.owner, d.liveOverride, d.incidentPlans, d.wave], () => {
      replace($('plan-callouts'), renderWaveRef(d.wave), renderOwner(d), renderRevisions(d),
        p.blockedReason ? h('div', {className: 'callout bad', id: 'blocked'}, 'Blocked: ', p.blockedReason) : null,
        p.needsIfaceOverride && p.state === 'PENDING_APPROVAL'
          ? h('div', {className: 'callout warn', id: 'needs-iface'},
            'This plan needs an interface override before it can be approved: the checks below could not prove the '
            + 'interface exists on every node. Supply the interface name(s) you vouch for when approving.') : null);
    });
    section('checks', d.checks, renderChecks);
    section('diff', [d.diff, d.daemonSets], () => renderDiff(d.diff, d.daemonSets));
    section('evidence', [d.evidence, d.incident && d.incident.evidenceAt],
      () => renderEvidence(d.evidence, d.incident ? d.incident.evidenceAt : null));
    section('recommendation', d.recommendation, renderRecommendation);
    section('approvals', [d.approvalList, p.approvals, p.approvalsRequired], () => renderApprovals(d.approvalList, p));
    section('history', d.history, renderHistory);
    // The decision form is rebuilt only when what it depends on changes, so typing is never lost.
    section('actions', [p.id, p.state, p.needsIfaceOverride, p.blockedReason, p.planHash, d.liveOverride,
      Array.from(app.roles)], () => renderActions(d));
  }

  /** Where the plan's incident stands now (the headline above is the incident's summary). */
  function incidentLine(i) {
    if (!i) return null;
    return h('div', {className: 'incident-line', id: 'plan-incident-status', dataset: {status: i.status}},
      'incident ', h('span', {className: 'badge ' + (i.status === 'open' ? 's-FAILED' : 's-SUCCEEDED')}, i.status.toUpperCase()),
      ' ', h('span', {className: 'sev-' + i.severity}, i.severity || ''),
      i.resolvedAt ? [' · resolved ', time(i.resolvedAt), i.resolveReason ? ' · ' + i.resolveReason : ''] : [' · since ', time(i.openedAt)]);
  }

  /** Seconds between two instants, "20 s" or "3 min 5 s". */
  function span(from, to) {
    const s = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
    return s < 120 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  }

  /** The outcome of an ended plan in words: "fixed, verified in 20 s", "rolled back: …", "failed: …". */
  function outcome(d) {
    const p = d.plan;
    const hist = d.history || [];
    const last = hist.length ? hist[hist.length - 1] : null;
    const why = last && last.to === p.state && last.reason ? ': ' + last.reason : '';
    const verifying = hist.find((x) => x.to === 'VERIFYING');
    switch (p.state) {
      case 'SUCCEEDED':
        return d.finishedAt ? 'fixed, verified in ' + span(d.executionStartedAt || (verifying && verifying.at) || p.createdAt, d.finishedAt)
          + (verifying && d.executionStartedAt ? ' (rollout ' + span(d.executionStartedAt, verifying.at) + ', verification '
            + span(verifying.at, d.finishedAt) + ')' : '') : 'fixed';
      case 'ROLLED_BACK': return 'rolled back' + why;
      case 'FAILED': return 'failed' + why;
      case 'REJECTED': return 'rejected' + (last && last.actor ? ' by ' + last.actor : '') + why;
      case 'EXPIRED': return 'expired unapproved' + why;
      case 'CANCELLED': return 'cancelled' + why;
      case 'STALE': return 'stale: the cluster changed before it ran' + why.replace(/^: /, '; ');
      case 'SUPERSEDED': return 'superseded by a newer plan of the incident' + why;
      case 'SOURCE_CHANGE_PROPOSED': return 'change proposed at the source' + why;
      default: return null;
    }
  }

  function outcomeLine(d) {
    const o = outcome(d);
    if (!o) return null;
    return h('div', {className: 'callout ' + (d.plan.state === 'SUCCEEDED' ? '' : ['FAILED', 'ROLLED_BACK'].indexOf(d.plan.state) >= 0
      ? 'bad' : 'warn'), id: 'plan-outcome', dataset: {state: d.plan.state}}, o);
  }

  /** A managed DaemonSet: who owns it, the evidence, and the change to make at that source. */
  function renderOwner(d) {
    if (!d.owner) return null;
    const o = d.owner;
    const what = o.adviceOnly
      ? 'Advice only: flannel runs inside ' + o.manager + ', there is nothing to patch; nothing executes.'
      : d.liveOverride
        ? 'Live override by ' + d.liveOverride.by + ' (' + d.liveOverride.reason + '): once approved, the change is '
          + 'applied to the cluster although ' + o.manager + ' manages it.'
        : 'Approving records agreement; the change is to be made at the source (the plan ends SOURCE_CHANGE_PROPOSED). '
          + 'Applying it live needs an admin\'s live override with a reason.';
    return h('div', {className: 'callout warn', id: 'owner'},
      h('div', null, 'Managed by ', h('b', {id: 'owner-manager'}, o.manager), ' (', h('span', {className: 'mono', id: 'owner-evidence'},
        o.evidence || '?'), '). ', what),
      o.sourceChange ? h('pre', {className: 'source-change', id: 'owner-source-change'}, o.sourceChange) : null);
  }

  /** The canary wave the plan is in: its place, released or not, held and why. */
  function renderWaveRef(w) {
    if (!w) return null;
    return h('div', {className: 'callout' + (w.heldReason ? ' bad' : ''), id: 'plan-wave', dataset: {released: String(w.released)}},
      'Member of canary wave ', h('a', {href: '#/wave/' + encodeURIComponent(w.id), id: 'plan-wave-link', className: 'mono'}, short(w.id)),
      w.wave === 0 ? ' · the canary' : ' · wave ' + w.wave, ' · ',
      w.released ? 'released' : 'not released yet: it does not start before its wave is released, even when approved',
      w.heldReason ? h('div', {id: 'plan-wave-held'}, 'held: ' + w.heldReason) : null);
  }

  /** The other plans of the same incident (revisions). */
  function renderRevisions(d) {
    const list = d.incidentPlans || [];
    if (list.length < 2) return null;
    return h('div', {className: 'callout', id: 'revisions'}, 'Plans of this incident: ',
      list.map((r, i) => [i ? ' · ' : '', r.id === d.plan.id ? h('b', null, 'rev ' + r.revision)
        : h('a', {href: '#/plan/' + encodeURIComponent(r.id)}, 'rev ' + r.revision), ' ', badge(r.state)]));
  }

  function renderChecks(checks) {
    if (!checks || checks.length === 0) {
      replace($('checks'), h('div', {className: 'empty'}, 'No pre-checks recorded.'));
      return;
    }
    replace($('checks'), h('table', {id: 'checks-table'},
      h('thead', null, h('tr', null, h('th', null, 'check'), h('th', null, 'result'), h('th', null, 'detail'))),
      h('tbody', null, checks.map((c) => h('tr', {dataset: {check: c.name, passed: String(c.passed)}},
        h('td', {className: 'mono nowrap'}, c.name),
        h('td', {className: 'nowrap'}, c.passed ? h('span', {className: 'pass'}, 'PASS')
          : h('span', {className: 'fail'}, 'FAIL'),
        !c.passed ? h('span', {className: 'flag ' + (c.overridable ? 'warn' : 'bad'),
          title: c.overridable ? 'an approver can clear this with an interface override' : 'blocks approval'},
        c.overridable ? 'overridable' : 'blocking') : null),
        h('td', null, c.detail || ''))))));
  }

  function renderDiff(diff, daemonSets) {
    const wrap = $('diff-wrap');
    const dss = (daemonSets || []).map((x) => x.namespace + '/' + x.name + '@rv' + x.resourceVersion).join(' ');
    $('daemonsets').textContent = dss;
    if (!diff) {
      $('diffstat').textContent = '';
      replace(wrap, h('div', {className: 'empty', id: 'diff-empty'}, 'No change to show.'));
      return;
    }
    let adds = 0, dels = 0;
    const lines = [];
    let added = [], removed = [];
    const flush = () => { lines.push(...removed, ...added); added = []; removed = []; };
    diff.replace(/\n$/, '').split('\n').forEach((line) => {
      let cls = '';
      if (line.startsWith('+++ ') || line.startsWith('--- ') || line.startsWith('diff ') || line.startsWith('index ')) cls = 'file';
      else if (line.startsWith('@@')) cls = 'hunk';
      else if (line.startsWith('+')) { adds++; added.push(h('span', {className: 'add'}, line)); return; }
      else if (line.startsWith('-')) { dels++; removed.push(h('span', {className: 'del'}, line)); return; }
      flush();  // within a block of changes, the removed lines come first
      lines.push(h('span', {className: cls}, line));
    });
    flush();
    replace($('diffstat'), h('span', {className: 'a'}, '+' + adds), ' ', h('span', {className: 'd'}, '−' + dels));
    replace(wrap, h('pre', {className: 'diff', id: 'diff'}, lines));
  }

  function renderEvidence(ev, at) {
    replace($('evidence'), h('div', {className: 'body'}, evidenceGroups(ev, at)));
  }

  function renderRecommendation(r) {
    if (!r) {
      replace($('recommendation'), h('span', {className: 'muted'}, 'none'));
      return;
    }
    const kv = [];
    const add = (k, v) => kv.push(h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v));
    add('action', r.action); add('namespace', r.namespace);
    add('daemonsets', (r.daemonSets || []).join(', ')); add('container', r.container);
    add('image', (r.currentImage || '?') + (r.targetImage ? ' → ' + r.targetImage : ' (kept)'));
    add('iface', (r.iface || []).join(', ') || (r.ifaceRegex ? 'regex ' + r.ifaceRegex : null));
    add('no inventory', (r.nodesWithoutInventory || []).join(', '));
    replace($('recommendation'), h('dl', {className: 'kv'}, kv));
  }

  function renderApprovals(list, p) {
    $('approvals-note').textContent = p.approvals + ' of ' + p.approvalsRequired + ' required';
    if (!list || list.length === 0) {
      replace($('approvals'), h('div', {className: 'empty', id: 'approvals-empty'}, 'No approvals yet.'));
      return;
    }
    replace($('approvals'), h('table', {id: 'approvals-table'},
      h('thead', null, h('tr', null, h('th', null, 'who'), h('th', null, 'when'), h('th', null, 'via'), h('th', null, 'comment'))),
      h('tbody', null, list.map((a) => h('tr', {dataset: {approver: a.approver}},
        h('td', {className: 'mono nowrap'}, a.approver,
          a.current ? null : h('span', {className: 'flag grey', title: 'approved an earlier diff; does not count'}, 'stale')),
        h('td', {className: 'nowrap'}, time(a.at)),
        h('td', {className: 'mono'}, a.channel || ''),
        h('td', null, a.comment || ''))))));
  }

  function renderHistory(hist) {
    if (!hist || hist.length === 0) {
      replace($('history'), h('div', {className: 'empty'}, 'No history.'));
      return;
    }
    replace($('history'), h('ol', {className: 'timeline', id: 'history-list'}, hist.map((x) => h('li', {dataset: {to: x.to, actor: x.actor || ''}},
      h('div', null, h('div', {className: 'when', title: x.at}, stamp(x.at)), h('div', {className: 'who'}, (x.actor || '') + (x.channel ? '/' + x.channel : ''))),
      h('div', null, h('div', null, x.from ? badge(x.from) : null, x.from ? ' → ' : '', badge(x.to)),
        x.reason ? h('div', {className: 'why'}, x.reason) : null)))));
  }

  function renderActions(d) {
    const p = d.plan;
    const box = $('actions');
    const approver = app.roles.has('approver');
    const canApprove = p.state === 'PENDING_APPROVAL';
    const canReject = p.state === 'PENDING_APPROVAL' || p.state === 'APPROVED';
    const result = h('div', {id: 'action-result', hidden: true});
    if (!approver) {
      replace(box, h('div', {className: 'readonly', id: 'readonly-note'},
        'Read only: approving and rejecting need the approver role; you are ', app.auth.user, ' (',
        Array.from(app.roles).sort().join(', '), ').'));
      return;
    }
    const show = (ok, text) => {
      app.flash = {planId: p.id, ok: ok, text: text};
      renderFlash();
    };
    if (!canApprove && !canReject) {
      const admin = app.roles.has('admin') ? adminForms(d, show) : [];
      replace(box, h('div', {className: 'readonly', id: 'no-action-note'}, 'Nothing to decide: the plan is ', badge(p.state), '.'),
        admin.map((f) => [h('hr'), f]), result);
      renderFlash();
      return;
    }
    const parts = [];
    if (canApprove) {
      const comment = h('input', {id: 'approve-comment', placeholder: 'optional comment'});
      const iface = p.needsIfaceOverride
        ? h('input', {id: 'approve-iface', placeholder: 'e.g. eth0', autocomplete: 'off'}) : null;
      const button = h('button', {type: 'submit', id: 'approve-btn', className: 'btn approve', disabled: !!p.blockedReason,
        title: p.blockedReason ? 'blocked: ' + p.blockedReason : 'approve this exact diff'}, 'Approve');
      parts.push(h('form', {id: 'approve-form', onsubmit: async (ev) => {
        ev.preventDefault();
        // the hash of the plan this page shows: if the plan changed meanwhile the server answers 409
        const body = {comment: comment.value.trim() || null, planHash: p.planHash};
        if (iface) {
          if (!iface.value.trim()) { show(false, 'Enter the interface name(s) to bind flannel to.'); iface.focus(); return; }
          body.iface = iface.value.trim();
        }
        button.disabled = true;
        try {
          const r = await api('POST', '/api/plans/' + encodeURIComponent(p.id) + '/approve', body);
          show(true, 'Approved by ' + app.auth.user + ' · plan is now ' + r.state);
          hideBanner();
        } catch (e) {
          if (e.status === 401) { handleError(e); return; }
          show(false, e.message);
          button.disabled = false;
        }
        refreshNow();
      }},
      h('div', {className: 'row'}, h('label', null, 'comment', comment)),
      iface ? h('div', {className: 'row'}, h('label', null, 'interface override (required)', iface)) : null,
      h('div', {className: 'row'}, button,
        h('span', {className: 'muted'}, p.approvals + ' of ' + p.approvalsRequired + ' approval(s) so far'))));
    }
    if (canReject) {
      const reason = h('input', {id: 'reject-reason', placeholder: 'reason (required)', autocomplete: 'off'});
      const button = h('button', {type: 'submit', id: 'reject-btn', className: 'btn reject'}, 'Reject');
      if (parts.length) parts.push(h('hr'));
      parts.push(h('form', {id: 'reject-form', onsubmit: async (ev) => {
        ev.preventDefault();
        if (!reason.value.trim()) { show(false, 'A reason is required to reject a plan.'); reason.focus(); return; }
        button.disabled = true;
        try {
          const r = await api('POST', '/api/plans/' + encodeURIComponent(p.id) + '/reject', {reason: reason.value.trim()});
          show(true, 'Rejected by ' + app.auth.user + ' · plan is now ' + r.state);
          hideBanner();
        } catch (e) {
          if (e.status === 401) { handleError(e); return; }
          show(false, e.message);
          button.disabled = false;
        }
        refreshNow();
      }}, h('div', {className: 'row'}, h('label', null, 'reject', reason), button)));
    }
    if (app.roles.has('admin')) {
      adminForms(d, show).forEach((f) => { if (parts.length) parts.push(h('hr')); parts.push(f); });
    }
    parts.push(result);
    replace(box, parts);
    renderFlash();
  }

  /** Admin: the live override of a managed plan, and a rebuild of the incident's plan; both need a reason. */
  function adminForms(d, show) {
    const p = d.plan;
    const forms = [];
    const form = (id, label, placeholder, send) => {
      const reason = h('input', {id: id + '-reason', placeholder: placeholder, autocomplete: 'off'});
      const button = h('button', {type: 'submit', id: id + '-btn', className: 'btn'}, label);
      return h('form', {id: id + '-form', onsubmit: async (ev) => {
        ev.preventDefault();
        if (!reason.value.trim()) { show(false, 'A reason is required.'); reason.focus(); return; }
        button.disabled = true;
        try {
          show(true, await send(reason.value.trim()));
          hideBanner();
        } catch (e) {
          if (e.status === 401) { handleError(e); return; }
          show(false, e.message);
          button.disabled = false;
        }
        refreshNow();
      }}, h('div', {className: 'row'}, h('label', null, label.toLowerCase() + ' (admin)', reason), button));
    };
    if (d.owner && !d.owner.adviceOnly && !d.liveOverride && p.state === 'PENDING_APPROVAL') {
      forms.push(form('live-override', 'Live override', 'why patch a managed DaemonSet live (required)', async (reason) => {
        const r = await api('POST', '/api/plans/' + encodeURIComponent(p.id) + '/live-override',
          {reason: reason, planHash: p.planHash});
        return 'Live override recorded by ' + app.auth.user + ' · plan is ' + r.state;
      }));
    }
    if (['EXECUTING', 'VERIFYING'].indexOf(p.state) < 0) {
      forms.push(form('rebuild', 'Rebuild', 'why build a new plan from the live cluster (required)', async (reason) => {
        const r = await api('POST', '/api/plans/' + encodeURIComponent(p.id) + '/rebuild', {reason: reason});
        location.hash = '#/plan/' + encodeURIComponent(r.id);
        return 'Rebuilt by ' + app.auth.user + ' · revision ' + r.revision + ' is ' + r.state;
      }));
    }
    return forms;
  }

  /** Shows the outcome of the last action (success or the problem+json error) under the decision form. */
  function renderFlash() {
    const el = $('action-result');
    if (!el) return;
    const f = app.flash;
    const r = parseRoute();
    if (f && !f.at) f.at = Date.now();
    if (f && Date.now() - f.at > (f.ok ? FLASH_OK_MS : FLASH_ERROR_MS)) app.flash = null;
    if (!app.flash || r.view !== 'plan' || r.id !== f.planId) { el.hidden = true; return; }
    el.hidden = false;
    el.className = f.ok ? 'form-ok' : 'form-error';
    el.textContent = f.text;
  }

  // ---------- theme ----------
  function applyTheme(t) {
    document.documentElement.dataset.theme = t;
  }

  function initTheme() {
    let t = null;
    try { t = localStorage.getItem(THEME_KEY); } catch (e) { t = null; }
    if (!t) t = window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
    applyTheme(t);
    $('theme-toggle').addEventListener('click', () => {
      const next = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
      applyTheme(next);
      try { localStorage.setItem(THEME_KEY, next); } catch (e) { /* ignore */ }
    });
  }

  // ---------- start ----------
  async function init() {
    initTheme();
    $('logout').addEventListener('click', () => logout(''));
    window.addEventListener('hashchange', route);
    $('login-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const user = $('login-user').value.trim();
      const password = $('login-password').value;
      const submit = $('login-submit');
      const err = $('login-error');
      err.hidden = true;
      submit.disabled = true;
      try {
        await login(user, password);
      } catch (e) {
        err.hidden = false;
        err.textContent = e instanceof ApiError ? loginErrorText(e) : String(e);
      } finally {
        submit.disabled = false;
      }
    });
    try {
      const si = await api('GET', '/api/sign-in');
      if (si && si.method === 'oidc') app.signIn = {method: 'oidc', signOut: si.signOut || null};
    } catch (e) { /* an older remediator: basic */ }
    if (app.signIn.method === 'oidc') {
      try {
        const me = await api('GET', '/api/me');
        const auth = {user: me.user, session: true};
        const policy = await api('GET', '/api/policy');
        startSession(auth, {roles: new Set(me.roles), source: 'api'}, policy);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) { signInAgain(e.detail); return; }
        showBanner(e instanceof ApiError ? e : new ApiError(0, 'Error', String(e)), 'sign-in');
      }
      return;
    }
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(AUTH_KEY) || 'null'); } catch (e) { saved = null; }
    if (saved && saved.header && saved.user) {
      try {
        const policy = await api('GET', '/api/policy', undefined, saved);
        startSession(saved, await detectRoles(saved), policy);
        return;
      } catch (e) {
        logout(e instanceof ApiError ? loginErrorText(e) : String(e));
        return;
      }
    }
    logout('');
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
