// The console of `telaio serve`: the served workflows, a form per workflow built from its
// inputs' JSON Schema, a run's steps live over Server-Sent Events, and the history of runs.
// It talks to the server's own API only; no build step, nothing fetched from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
let workflows = [];
let current = null;
let stream = null;

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

async function api(path, options = {}) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({}));
  return { status: response.status, body };
}

async function load() {
  const { status, body } = await api("/workflows");
  const nav = $("workflows");
  nav.textContent = "";
  if (status === 401) {
    askToken(nav);
    return;
  }
  if (status !== 200) {
    nav.append(el("p", { class: "error", text: body.error || `error ${status}` }));
    return;
  }
  workflows = body;
  workflows.forEach((w, i) => {
    const b = el("button", { type: "button", "data-workflow": w.workflowId },
      w.workflowId, el("small", { text: w.summary || w.document }));
    b.addEventListener("click", () => { location.hash = `workflow=${i}`; });
    nav.append(b);
  });
  route();
}

// The server wants its token: given once, it keeps it in a cookie this page cannot read.
function askToken(nav) {
  const input = el("input", { id: "token", type: "password", autocomplete: "current-password" });
  const error = el("p", { class: "error", role: "alert" });
  const form = el("form", { id: "token-form" },
    el("label", { for: "token", text: "This server's token" }), input,
    el("button", { type: "submit", id: "sign-in", text: "Open" }), error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { status, body } = await api("/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: input.value }),
    });
    if (status === 204) load();
    else error.textContent = body.error || `error ${status}`;
  });
  nav.append(form);
}

function route() {
  const params = new URLSearchParams(location.hash.slice(1));
  const i = Number(params.get("workflow") ?? (workflows.length ? 0 : -1));
  if (workflows[i]) show(i);
  const run = params.get("run");
  if (run) watch(run);
}

function show(i) {
  if (current === i) return;
  current = i;
  const w = workflows[i];
  document.querySelectorAll("nav button").forEach((b, j) =>
    b.setAttribute("aria-current", String(j === i)));
  $("workflow").hidden = false;
  $("title").textContent = w.workflowId;
  $("summary").textContent = w.description || w.summary || "";
  $("document").textContent = w.document;
  $("page").href = w.page || "#";
  $("page").hidden = !w.page;
  $("run-view").hidden = true;
  buildForm(w.inputs || {});
  chooseTarget(w.targets || ["servers"]);
  history();
}

// One field per property of the inputs' schema: its type chooses the control.
function buildForm(schema) {
  const fields = $("fields");
  fields.textContent = "";
  const required = new Set(schema.required || []);
  const properties = schema.properties || {};
  if (!Object.keys(properties).length) {
    fields.append(el("p", { class: "muted", text: "This workflow takes no inputs." }));
  }
  for (const [name, p] of Object.entries(properties)) {
    const id = `input-${name}`;
    const label = el("label", { for: id }, name);
    if (required.has(name)) label.append(el("span", { class: "req", text: " *" }));
    if (p.description) label.append(el("small", { text: p.description }));
    let control;
    if (Array.isArray(p.enum)) {
      control = el("select", { id });
      if (!required.has(name)) control.append(el("option", { value: "", text: "" }));
      for (const v of p.enum) control.append(el("option", { value: JSON.stringify(v), text: String(v) }));
      if (p.default !== undefined) control.value = JSON.stringify(p.default);
    } else if (p.type === "boolean") {
      control = el("input", { id, type: "checkbox" });
      control.checked = p.default === true;
    } else if (p.type === "integer" || p.type === "number") {
      control = el("input", { id, type: "number", step: p.type === "integer" ? "1" : "any" });
      if (p.default !== undefined) control.value = p.default;
    } else if (p.type === "object" || p.type === "array" || p.type === undefined) {
      control = el("textarea", { id, placeholder: "JSON" });
      if (p.default !== undefined) control.value = JSON.stringify(p.default, null, 2);
    } else {
      const secret = p.format === "password" || p.writeOnly === true;
      control = el("input", { id, type: secret ? "password" : "text" });
      if (p.default !== undefined) control.value = p.default;
    }
    control.dataset.name = name;
    control.dataset.kind = Array.isArray(p.enum) ? "enum" : (p.type || "json");
    if (required.has(name)) control.required = true;
    fields.append(el("div", { class: "field" }, label, control));
  }
}

// Where runs go: the configured servers, the mock, or a choice of both.
function chooseTarget(targets) {
  const names = { servers: "the configured servers", mock: "the mock" };
  const select = $("target");
  select.textContent = "";
  for (const t of targets) select.append(el("option", { value: t, text: names[t] || t }));
  // Hidden only when runs go where they always do: the configured servers.
  $("target-field").hidden = targets.length === 1 && targets[0] === "servers";
}

function inputs() {
  const out = {};
  for (const c of $("fields").querySelectorAll("[data-name]")) {
    const name = c.dataset.name;
    switch (c.dataset.kind) {
      case "boolean": out[name] = c.checked; break;
      case "enum": if (c.value !== "") out[name] = JSON.parse(c.value); break;
      case "integer": case "number": if (c.value !== "") out[name] = Number(c.value); break;
      case "string": if (c.value !== "" || c.required) out[name] = c.value; break;
      default:
        if (c.value.trim() !== "") {
          try { out[name] = JSON.parse(c.value); }
          catch (e) { throw new Error(`${name}: not JSON (${e.message})`); }
        }
    }
  }
  return out;
}

async function submit(event) {
  event.preventDefault();
  $("form-error").textContent = "";
  const w = workflows[current];
  let body;
  try {
    body = { workflowId: w.workflowId, document: w.document, target: $("target").value, inputs: inputs() };
  } catch (e) {
    $("form-error").textContent = e.message;
    return;
  }
  const { status, body: answer } = await api("/runs", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (status !== 202) {
    $("form-error").textContent = [answer.error, ...(answer.problems || [])].join("\n");
    return;
  }
  location.hash = `workflow=${current}&run=${answer.runId}`;
}

const seconds = (us) => `${(us / 1e6).toFixed(3)} s`;

const waitReason = (r) => r.type === "retry" ? `retry ${r.attempt}/${r.limit}` : "poll interval";

// One line of the timeline per event worth a person's eye.
function line(record) {
  const e = record;
  switch (e.event) {
    case "stepStarted": return { cls: "step", text: `${e.stepId} #${e.attempt}: ${e.target}` };
    case "requestSent": return { text: `→ ${e.method} ${e.url} (${e.bodyBytes} bytes)` };
    case "responseReceived": return { text: `← ${e.status} (${e.bodyBytes} bytes, ${(e.elapsedUs / 1000).toFixed(1)} ms)` };
    case "transportFailed": return { cls: "bad", text: `✗ ${e.reason}` };
    case "requestRetried": return { text: `↻ attempt ${e.attempt} after ${e.millis} ms: ${e.reason}` };
    case "waited": return { text: `… waiting ${e.millis} ms (${waitReason(e.reason)})` };
    case "stepFinished": return e.succeeded ? { text: `✓ ${e.stepId}` } : { cls: "bad", text: `✗ ${e.stepId}: ${e.reason || "failed"}` };
    case "actionTaken": return { text: `→ ${e.action.type}${e.action.stepId ? " " + e.action.stepId : ""} (${e.name})` };
    default: return null;
  }
}

function setStatus(status) {
  const s = $("run-status");
  s.textContent = status;
  s.className = `status ${status}`;
  $("cancel").hidden = !(status === "running" || status === "queued");
}

function watch(id) {
  if (stream) stream.close();
  $("run-view").hidden = false;
  $("run-id").textContent = id;
  $("timeline").textContent = "";
  $("outputs-box").hidden = true;
  $("run-error").textContent = "";
  setStatus("running");
  $("cancel").onclick = () => api(`/runs/${id}/cancel`, { method: "POST" });
  // EventSource reconnects by itself, sending the last id it saw: nothing is missed.
  stream = new EventSource(`/runs/${id}/events`);
  stream.onmessage = (m) => {
    const shown = line(JSON.parse(m.data));
    if (!shown) return;
    const li = el("li", { class: shown.cls || "" }, el("span", { class: "at", text: seconds(JSON.parse(m.data).atUs) }), shown.text);
    $("timeline").append(li);
  };
  stream.addEventListener("end", (m) => {
    stream.close();
    stream = null;
    const result = JSON.parse(m.data);
    setStatus(result.status);
    if (result.outputs && Object.keys(result.outputs).length) {
      $("outputs").textContent = JSON.stringify(result.outputs, null, 2);
      $("outputs-box").hidden = false;
    }
    if (result.error) $("run-error").textContent = result.error.reason;
    history();
  });
}

async function history() {
  const w = workflows[current];
  const { status, body } = await api(`/runs?workflow=${encodeURIComponent(w.workflowId)}&limit=20`);
  const tbody = $("history").querySelector("tbody");
  tbody.textContent = "";
  if (status !== 200) return;
  for (const r of body) {
    const a = el("a", { href: `#workflow=${current}&run=${r.runId}`, text: r.runId });
    tbody.append(el("tr", {},
      el("td", {}, a),
      el("td", {}, el("span", { class: `status ${r.status}`, text: r.status })),
      el("td", { text: new Date(r.startedAtMs).toLocaleString() })));
  }
}

window.addEventListener("hashchange", route);
document.addEventListener("DOMContentLoaded", () => {
  $("run-form").addEventListener("submit", submit);
  load();
});
