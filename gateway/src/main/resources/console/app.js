// Botgate console: one page, no framework, no CDN. Markdown via marked, sanitised by DOMPurify (both served by Botgate).
"use strict";

// ---------- strings (every visible string lives here, in both languages) ----------
const STRINGS = {
  en: {
    username: "User name", password: "Password", signIn: "Sign in", signOut: "Sign out",
    setupTitle: "First visit: create the administrator account.", setupGo: "Create admin account",
    signInTitle: "Sign in to manage your bots.", wrongPassword: "Wrong user name or password.",
    dashboard: "Dashboard", bots: "Bots", knowledge: "Knowledge", conversations: "Conversations", models: "Models",
    chat: "Chat", users: "Users", account: "Account",
    refresh: "Refresh", delete: "Delete", open: "Open", back: "Back", create: "Create", save: "Save", copy: "Copy", copied: "Copied",
    bot: "Bot", channel: "Channel", callback: "Callback URL", model: "Model", health: "Health", ok: "OK",
    botsNote: "Bots made here are saved in the data directory and apply at once; bots declared in the configuration file (YAML) are shown read-only.", notStarted: "Not started",
    kbNew: "new base name", kbBases: "Knowledge bases", documents: "Documents", chunks: "Chunks", size: "Size",
    kbDeleteUsed: "Bots use this base: {0}. They will answer every question with their fallback. Delete '{1}' anyway?",
    kbDelete: "Delete knowledge base '{0}'?", docDelete: "Delete document '{0}'?",
    upload: "Upload", importBtn: "Import", searchTest: "Search test", search: "Search", query: "a customer's question",
    title: "Title", source: "Source", imported: "Imported", preview: "Preview",
    hitsIn: "{0} hits in {1} ms", directAnswer: "direct answer",
    progress: "{0}: {1} chunks · {2}% · {3} s left", done: "{0}: {1} added, {2} replaced, {3} unchanged", skipped: "skipped {0}: {1}",
    time: "Time", from: "From", question: "Question", answer: "Answer", outcome: "Outcome", state: "State",
    allBots: "all bots", allChannels: "all channels", allOutcomes: "all outcomes", exportCsv: "Export CSV",
    thread: "Conversation", timesIn: "Times in {0}", noRows: "Nothing yet.", error: "error",
    day: "Day", messages: "Messages", direct: "direct", knowledgeP: "knowledge", modelP: "model", fallback: "fallback", canned: "canned",
    p50: "p50", p95: "p95", sendFailures: "Send failures", unanswered: "Most frequent unanswered questions",
    dashNote: "From the latest {0} recorded messages.",
    pull: "Pull", pullPlaceholder: "https://…/model.gguf or a name", family: "Family", parameters: "Parameters",
    quantisation: "Quantisation", modified: "Modified", usedBy: "Used by", loaded: "Loaded", memory: "Memory (est.)",
    busy: "Busy slots", queued: "Queued", context: "Context", modelDelete: "Delete model '{0}'?",
    target: "Talk to", newChat: "New conversation", send: "Send", stop: "Stop", ask: "Ask something, e.g. 怎么退货？",
    sources: "Sources", stopped: "(stopped)",
    role: "Role", created: "Created", lastSignIn: "Last sign-in", newUser: "Add user", userDelete: "Delete user '{0}'?",
    admin: "admin", operator: "operator", viewer: "viewer",
    myKeys: "My API keys", keyName: "key name", scope: "Scope", newKey: "Create key",
    keyShown: "Your new key (shown once, copy it now): {0}", signedInAs: "{0} ({1})",
    viewerNote: "You are a viewer: you can read everything but change nothing.",
    readOnly: "YAML, read-only", newBot: "New bot", botDelete: "Delete bot '{0}'?", botId: "Bot id (a-z, 0-9, - or _)",
    threshold: "Answer threshold", systemPrompt: "System prompt", welcome: "Welcome message", fallbackText: "Fallback answer",
    platform: "{0} settings", secretKept: "stored — leave empty to keep",
    synonyms: "Synonyms and dictionary", synonymsHint: "Synonym rules, one per line (退货,退款,退钱)", dictionaryHint: "Dictionary: words kept whole, one per line", saved: "Saved",
    verdictDirect: "{0} would answer directly with the Q&A entry (threshold {1})", verdictModel: "{0} would answer with its model from these passages (threshold {1})",
    verdictKnowledge: "{0} would answer with the best passage (threshold {1})", verdictFallback: "{0} would fall back: nothing reaches its threshold {1}",
    language: "Language", edit: "Edit", similar: "Similar questions (one per line)", qaDelete: "Delete this Q&A entry?",
    review: "Review", handoffs: "Open handoffs", handoffsNote: "Handed off to a person, oldest first; the bot is silent in these.",
    since: "Since", reason: "Reason", user: "User", withPerson: "with a person", withBot: "with the bot",
    takeOver: "Take over", handBack: "Hand back to the bot", replyAs: "Reply as an agent (goes out through the conversation's channel)",
    tookOver: "Taken over: the bot stays silent until you hand back.", handedBack: "Handed back to the bot.",
    sent: "Sent.", held: "Held: {0}", agent: "agent", noPlatform: "This bot has no platform channel: no one can take over here.",
    rateUp: "Good answer", rateDown: "Wrong answer: send to review", up: "✓ Good", down: "✗ Wrong", rated: "Thanks, recorded.", ratedDown: "Sent to the review queue.",
    reviewNote: "Fallbacks, thumbs-down answers and handoffs, grouped by similar question. Resolve each group in one step.",
    asked: "{0} reports", attachTo: "Attach to “{0}”", newAnswer: "Or write the answer for a new Q&A entry", newEntry: "New entry",
    dismiss: "Dismiss", nothingToReview: "Nothing to review.", resolved: "Resolved: {0}", noSuggestions: "No similar Q&A entry in this bot's bases.",
  },
  zh: {
    username: "用户名", password: "密码", signIn: "登录", signOut: "退出",
    setupTitle: "首次访问：请创建管理员账号。", setupGo: "创建管理员账号",
    signInTitle: "登录以管理您的机器人。", wrongPassword: "用户名或密码错误。",
    dashboard: "概览", bots: "机器人", knowledge: "知识库", conversations: "对话记录", models: "模型",
    chat: "对话", users: "用户", account: "账号",
    refresh: "刷新", delete: "删除", open: "打开", back: "返回", create: "创建", save: "保存", copy: "复制", copied: "已复制",
    bot: "机器人", channel: "渠道", callback: "回调地址", model: "模型", health: "状态", ok: "正常",
    botsNote: "在此创建的机器人保存在数据目录中，立即生效；配置文件（YAML）中声明的机器人只读显示。", notStarted: "未启动",
    kbNew: "新知识库名称", kbBases: "知识库", documents: "文档", chunks: "分段", size: "大小",
    kbDeleteUsed: "以下机器人正在使用此知识库：{0}。删除后它们对所有问题都只会回复兜底话术。仍要删除“{1}”吗？",
    kbDelete: "删除知识库“{0}”？", docDelete: "删除文档“{0}”？",
    upload: "上传", importBtn: "导入", searchTest: "检索测试", search: "检索", query: "输入客户的问题",
    title: "标题", source: "来源", imported: "导入时间", preview: "预览",
    hitsIn: "{0} 条结果，用时 {1} 毫秒", directAnswer: "直接回答",
    progress: "{0}：{1} 个分段 · {2}% · 剩余 {3} 秒", done: "{0}：新增 {1}，替换 {2}，未变 {3}", skipped: "已跳过 {0}：{1}",
    time: "时间", from: "用户", question: "问题", answer: "回答", outcome: "结果", state: "状态",
    allBots: "全部机器人", allChannels: "全部渠道", allOutcomes: "全部结果", exportCsv: "导出 CSV",
    thread: "对话详情", timesIn: "时间为 {0}", noRows: "暂无数据。", error: "错误",
    day: "日期", messages: "消息数", direct: "直接", knowledgeP: "知识库", modelP: "模型", fallback: "兜底", canned: "固定回复",
    p50: "p50", p95: "p95", sendFailures: "发送失败", unanswered: "最常见的未解答问题",
    dashNote: "基于最近 {0} 条消息记录。",
    pull: "拉取", pullPlaceholder: "https://…/model.gguf 或模型名", family: "系列", parameters: "参数量",
    quantisation: "量化", modified: "修改时间", usedBy: "使用者", loaded: "已加载", memory: "内存（估算）",
    busy: "忙碌槽位", queued: "排队", context: "上下文", modelDelete: "删除模型“{0}”？",
    target: "对话对象", newChat: "新对话", send: "发送", stop: "停止", ask: "请输入问题，例如：怎么退货？",
    sources: "来源", stopped: "（已停止）",
    role: "角色", created: "创建时间", lastSignIn: "上次登录", newUser: "添加用户", userDelete: "删除用户“{0}”？",
    admin: "管理员", operator: "运营", viewer: "只读",
    myKeys: "我的 API 密钥", keyName: "密钥名称", scope: "范围", newKey: "创建密钥",
    keyShown: "新密钥（只显示一次，请立即复制）：{0}", signedInAs: "{0}（{1}）",
    viewerNote: "您是只读用户：可以查看所有内容，但不能修改。",
    readOnly: "YAML 只读", newBot: "新建机器人", botDelete: "删除机器人“{0}”？", botId: "机器人 ID（a-z、0-9、- 或 _）",
    threshold: "回答阈值", systemPrompt: "系统提示词", welcome: "欢迎语", fallbackText: "兜底回复",
    platform: "{0} 平台设置", secretKept: "已保存，留空则保持不变",
    synonyms: "同义词与词典", synonymsHint: "同义词规则，每行一条（退货,退款,退钱）", dictionaryHint: "词典：不拆分的词，每行一个", saved: "已保存",
    verdictDirect: "{0} 会直接用问答条目回答（阈值 {1}）", verdictModel: "{0} 会用模型根据这些段落回答（阈值 {1}）",
    verdictKnowledge: "{0} 会用最相关的段落回答（阈值 {1}）", verdictFallback: "{0} 会回复兜底话术：没有结果达到阈值 {1}",
    language: "语言", edit: "编辑", similar: "相似问题（每行一个）", qaDelete: "删除这条问答？",
    review: "待审核", handoffs: "待人工处理", handoffsNote: "已转人工的对话，最早的在前；这些对话中机器人不会回复。",
    since: "开始时间", reason: "原因", user: "用户", withPerson: "人工处理中", withBot: "机器人处理中",
    takeOver: "接管", handBack: "交还机器人", replyAs: "以客服身份回复（通过该对话的渠道发出）",
    tookOver: "已接管：在交还之前机器人不会回复。", handedBack: "已交还机器人。",
    sent: "已发送。", held: "暂存：{0}", agent: "人工客服", noPlatform: "该机器人没有平台渠道，无法在此接管。",
    rateUp: "回答正确", rateDown: "回答错误：送审", up: "✓ 正确", down: "✗ 答错了", rated: "已记录，谢谢。", ratedDown: "已加入待审核队列。",
    reviewNote: "兜底回复、被点踩的回答和转人工的问题，按相似问题分组。每组一步处理。",
    asked: "{0} 条记录", attachTo: "归入“{0}”", newAnswer: "或者填写答案，新建一条问答", newEntry: "新建问答",
    dismiss: "忽略", nothingToReview: "没有待审核的问题。", resolved: "已处理：{0}", noSuggestions: "该机器人的知识库中没有相似的问答。",
  },
};
let lang = localStorage.getItem("botgate-lang") || ((navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en");
const t = (key, ...args) => (STRINGS[lang][key] ?? key).replace(/\{(\d)\}/g, (_, i) => args[+i] ?? "");

// ---------- helpers ----------
const $ = s => document.querySelector(s);
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
const size = n => n >= 1e9 ? (n / 1e9).toFixed(1) + " GB" : n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : n >= 1e3 ? (n / 1e3).toFixed(0) + " KB" : n + " B";
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
// Local time with the zone named (dateStyle cannot be combined with timeZoneName, so the fields are spelled out).
const when = iso => iso ? new Date(iso).toLocaleString(lang === "zh" ? "zh-CN" : "sv-SE", {year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short"}) : "";
// Answers come from documents and models: sanitise what marked makes; no images (tracking pixels, broken links).
const md = text => DOMPurify.sanitize(marked.parse(String(text ?? "")), {FORBID_TAGS: ["img", "style", "form", "input", "button"]});
let me = null;   // {username, role, csrf}
let view = "dashboard", viewArg = null;

class ApiError extends Error { constructor(status, message) { super(message); this.status = status; } }
async function request(path, opts = {}) {
  const headers = Object.assign({}, opts.headers || {});
  const method = (opts.method || "GET").toUpperCase();
  if (method !== "GET" && me) headers["X-Botgate-CSRF"] = me.csrf;
  if (opts.json !== undefined) { headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(opts.json); }
  const r = await fetch(path, {method, headers, body: opts.body, signal: opts.signal, credentials: "same-origin"});
  if (r.status === 401 && !path.startsWith("/admin/login") && !path.startsWith("/admin/setup")) { showGate(); throw new ApiError(401, t("signInTitle")); }
  if (!r.ok) {
    const text = await r.text(); let m = text || String(r.status);
    try { const j = JSON.parse(text); m = (j.error && (j.error.message || j.error)) || m; } catch (e) { /* plain text */ }
    throw new ApiError(r.status, m);
  }
  return r;
}
async function api(path, opts) { const r = await request(path, opts); const text = await r.text(); return text ? JSON.parse(text) : {}; }
async function lines(path, body, onLine, signal) {
  const r = await request(path, {method: "POST", json: body, signal});
  const reader = r.body.getReader(), dec = new TextDecoder(); let buf = "";
  for (;;) {
    const {done, value} = await reader.read(); if (done) break;
    buf += dec.decode(value, {stream: true}); let i;
    while ((i = buf.indexOf("\n")) >= 0) { const l = buf.slice(0, i).trim(); buf = buf.slice(i + 1); if (l) onLine(JSON.parse(l)); }
  }
}
function toast(message) { const el = $("#toast"); el.textContent = message; el.hidden = !message; }
const canEdit = area => me && (me.role === "admin" || (me.role === "operator" && ["knowledge", "conversations"].includes(area)));
function table(headers, rows) {
  return `<div class="scroll"><table><thead><tr>${headers.map(h => `<th>${esc(h)}</th>`).join("")}</tr></thead><tbody>${rows.length ? rows.join("") : `<tr><td colspan="${headers.length}" class="muted">${t("noRows")}</td></tr>`}</tbody></table></div>`;
}
function langSelects() {
  document.querySelectorAll("select.lang").forEach(s => {
    s.innerHTML = `<option value="en">English</option><option value="zh">中文</option>`; s.value = lang; s.title = t("language");
    s.onchange = () => { lang = s.value; localStorage.setItem("botgate-lang", lang); applyLang(); if (!$("#app").hidden) render(); else showGate(); };
  });
}
function applyLang() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach(e => { e.textContent = t(e.dataset.i18n); });
  document.querySelectorAll("select.lang").forEach(s => { s.value = lang; });
}

// ---------- sign-in and setup ----------
let setupNeeded = false;
async function showGate() {
  $("#app").hidden = true; $("#gate").hidden = false; me = null;
  try { setupNeeded = (await (await fetch("/admin/session")).json()).setup_needed; } catch (e) { /* offline server: keep the form */ }
  $("#gatetitle").textContent = setupNeeded ? t("setupTitle") : t("signInTitle");
  $("#gatego").textContent = setupNeeded ? t("setupGo") : t("signIn");
  $("#gatepass").autocomplete = setupNeeded ? "new-password" : "current-password";
  applyLang();
}
$("#gateform").onsubmit = async e => {
  e.preventDefault(); $("#gateerr").textContent = "";
  try {
    me = await api(setupNeeded ? "/admin/setup" : "/admin/login", {method: "POST", json: {username: $("#gateuser").value, password: $("#gatepass").value}});
    $("#gatepass").value = ""; startApp();
  } catch (err) { $("#gateerr").textContent = err.status === 401 ? t("wrongPassword") : err.message; }
};
$("#signout").onclick = async () => { try { await api("/admin/logout", {method: "POST", json: {}}); } catch (e) { /* already gone */ } showGate(); };

const VIEWS = ["dashboard", "bots", "knowledge", "conversations", "review", "models", "chat", "users", "account"];
function startApp() {
  $("#gate").hidden = true; $("#app").hidden = false;
  $("#whoami").textContent = t("signedInAs", me.username, t(me.role));
  if (location.hash.startsWith("#/conversations/")) {  // a handoff notification's link: #/conversations/BOT:KEY
    const id = decodeURIComponent(location.hash.slice("#/conversations/".length));
    location.hash = "conversations/" + encodeURIComponent(id.slice(id.indexOf(":") + 1));
  }
  const fromHash = location.hash.slice(1).split("/");  // e.g. #bots/+new, #knowledge/faq
  if (VIEWS.includes(fromHash[0])) { view = fromHash[0]; viewArg = fromHash[1] ? decodeURIComponent(fromHash[1]) : null; }
  render();
}
function go(v, arg) { view = v; viewArg = arg ?? null; location.hash = v + (arg ? "/" + encodeURIComponent(arg) : ""); render(); }
async function render() {
  applyLang();
  $("#whoami").textContent = t("signedInAs", me.username, t(me.role));
  $("#nav").innerHTML = VIEWS.filter(v => v !== "users" || me.role === "admin")
    .map(v => `<button data-view="${v}" class="${v === view ? "on" : ""}">${t(v)}</button>`).join("");
  document.querySelectorAll("#nav button").forEach(b => b.onclick = () => go(b.dataset.view));
  toast("");
  const main = $("#main");
  main.innerHTML = me.role === "viewer" ? `<p class="muted">${t("viewerNote")}</p>` : "";
  const box = document.createElement("div"); main.appendChild(box);
  try { await PAGES[view](box); } catch (err) { if (err.status !== 401) toast(err.message); }
}

// ---------- pages ----------
const PAGES = {};
let botsCache = [];
async function loadBots() { const r = await api("/admin/bots"); botsCache = r.bots; return r; }

PAGES.dashboard = async box => {
  const [msgs] = await Promise.all([api("/admin/conversations?limit=1000").then(r => r.messages), loadBots()]);
  const groups = new Map();
  for (const m of msgs) {
    const day = new Date(m.received_at).toLocaleDateString("sv");   // YYYY-MM-DD in local time
    const k = m.bot + "\u0000" + day;
    if (!groups.has(k)) groups.set(k, {bot: m.bot, day, n: 0, policy: {}, times: [], failed: 0});
    const g = groups.get(k); g.n++;
    if (m.policy) g.policy[m.policy] = (g.policy[m.policy] || 0) + 1;
    if (m.state === "FAILED") g.failed++;
    if (m.answered_at) g.times.push(new Date(m.answered_at) - new Date(m.received_at));
  }
  const pct = (g, p) => g.n ? Math.round(100 * (g.policy[p] || 0) / g.n) + "%" : "–";
  const q = (arr, f) => { if (!arr.length) return "–"; const s = [...arr].sort((a, b) => a - b); return (s[Math.min(s.length - 1, Math.floor(f * s.length))] / 1000).toFixed(2) + " s"; };
  const rows = [...groups.values()].sort((a, b) => b.day.localeCompare(a.day) || a.bot.localeCompare(b.bot)).map(g => `<tr><td>${esc(g.day)}</td><td>${esc(g.bot)}</td><td>${g.n}</td>
    <td>${pct(g, "direct")}</td><td>${pct(g, "knowledge")}</td><td>${pct(g, "model")}</td><td>${pct(g, "fallback")}</td><td>${q(g.times, .5)}</td><td>${q(g.times, .95)}</td>
    <td class="${g.failed ? "err" : ""}">${g.failed}</td></tr>`);
  const unanswered = new Map();
  msgs.filter(m => m.policy === "fallback").forEach(m => unanswered.set(m.text, (unanswered.get(m.text) || 0) + 1));
  const top = [...unanswered.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const bad = botsCache.filter(b => b.status !== "ok");
  box.innerHTML = `${bad.length ? `<div class="card"><h2>${t("health")}</h2>${bad.map(b => `<div class="err">${esc(b.id)}: ${b.issues.map(esc).join("; ")}</div>`).join("")}</div>` : ""}
    <div class="card"><h2>${t("dashboard")}</h2><p class="muted">${t("dashNote", msgs.length)} ${t("timesIn", zone)}</p>
    ${table([t("day"), t("bot"), t("messages"), t("direct"), t("knowledgeP"), t("modelP"), t("fallback"), t("p50"), t("p95"), t("sendFailures")], rows)}</div>
    <div class="card"><h2>${t("unanswered")}</h2>${top.length ? "<ol>" + top.map(([text, n]) => `<li>${esc(text)} <span class="muted">×${n}</span></li>`).join("") + "</ol>" : `<p class="muted">${t("noRows")}</p>`}</div>`;
};

// Platform settings per channel (the keys of a bot's channel block in the configuration); secrets are write-only.
const PLATFORM_KEYS = {
  local: [],
  wecom: ["corp-id", "agent-id", "secret", "token", "encoding-aes-key", "api-base"],
  wechat: ["app-id", "app-secret", "token", "encoding-aes-key", "previous-encoding-aes-key", "verified", "api-base"],
  feishu: ["app-id", "app-secret", "encrypt-key", "verification-token", "api-base", "groups-only-when-mentioned"],
  slack: ["signing-secret", "bot-token", "bot-user-id", "api-base"],
};
const SECRET_KEYS = ["secret", "token", "encoding-aes-key", "previous-encoding-aes-key", "app-secret", "signing-secret", "bot-token", "encrypt-key", "verification-token"];
const TEXT_KEYS = ["system-prompt", "welcome", "fallback"];
PAGES.bots = async box => {
  if (viewArg) return botForm(box, viewArg === "+new" ? null : viewArg);
  const r = await loadBots();
  const admin = me.role === "admin";
  const rows = r.bots.map(b => {
    const url = b.callback ? location.origin + b.callback : "";
    const edit = b.editable && (admin || me.role === "operator");
    return `<tr data-bot="${esc(b.id)}"><td><b>${esc(b.id)}</b>${b.editable ? "" : ` <span class="tag">${t("readOnly")}</span>`}</td><td>${esc(b.channel)}</td>
      <td>${url ? `<code class="cb">${esc(url)}</code> <button data-copy="${esc(url)}">${t("copy")}</button>` : "–"}</td>
      <td>${b.knowledge.map(k => `<a href="#knowledge/${encodeURIComponent(k)}">${esc(k)}</a>`).join(", ") || "–"}</td><td>${esc(b.model) || "–"}</td>
      <td class="health">${b.status === "ok" ? `<span class="pill ok">${t("ok")}</span>` : `<span class="pill bad">${t("error")}</span> <div class="err">${b.issues.map(esc).join("<br>")}</div>`}</td>
      <td>${edit ? `<button data-editbot="${esc(b.id)}">${t("edit")}</button>` : ""} ${b.editable && admin ? `<button class="danger" data-delbot="${esc(b.id)}">${t("delete")}</button>` : ""}</td></tr>`;
  });
  box.innerHTML = `<div class="card"><div class="row"><h2 style="margin:0">${t("bots")}</h2>${admin ? `<button id="newbot" class="primary">${t("newBot")}</button>` : ""}</div>
    <p class="muted">${t("botsNote")}</p>
    ${table([t("bot"), t("channel"), t("callback"), t("knowledge"), t("model"), t("health"), ""], rows)}
    <div class="err">${r.problems.map(p => esc(t("notStarted") + ": " + p)).join("<br>")}</div></div>`;
  if (admin) $("#newbot").onclick = () => go("bots", "+new");
  box.querySelectorAll("[data-editbot]").forEach(b => b.onclick = () => go("bots", b.dataset.editbot));
  box.querySelectorAll("[data-delbot]").forEach(b => b.onclick = async () => {
    if (!confirm(t("botDelete", b.dataset.delbot))) return;
    try { await api("/admin/bots/" + encodeURIComponent(b.dataset.delbot), {method: "DELETE"}); render(); } catch (e) { toast(e.message); }
  });
  box.querySelectorAll("[data-copy]").forEach(b => b.onclick = async () => {
    try { await navigator.clipboard.writeText(b.dataset.copy); } catch (e) { /* insecure context: select instead */ window.getSelection().selectAllChildren(b.previousElementSibling); }
    b.textContent = t("copied");
  });
};

async function botForm(box, id) {
  const [bases, models, current] = await Promise.all([api("/admin/kb").then(r => r.bases), api("/api/tags").then(r => r.models),
    id ? api("/admin/bots/" + encodeURIComponent(id)) : Promise.resolve({channel: "local", knowledge: [], threshold: 0.5, secrets_set: []})]);
  const textsOnly = me.role !== "admin";
  const field = (key, label, value, type) => `<label class="grow">${esc(label)}<input data-k="${key}" type="${type || "text"}" value="${esc(value ?? "")}" ${textsOnly && !TEXT_KEYS.includes(key) ? "disabled" : ""}></label>`;
  const area = (key, label, value) => `<label class="grow">${esc(label)}<textarea data-k="${key}" rows="2">${esc(value ?? "")}</textarea></label>`;
  box.innerHTML = `<div class="card"><div class="row"><button id="back">← ${t("back")}</button><h2 style="margin:0">${id ? esc(id) : t("newBot")}</h2></div>
    <form id="botform" class="botform">
    <div class="row">${field("id", t("botId"), current.id)}<label class="grow">${t("channel")}<select data-k="channel" ${id ? "disabled" : ""}>${Object.keys(PLATFORM_KEYS).map(c => `<option value="${c}" ${c === current.channel ? "selected" : ""}>${c}</option>`).join("")}</select></label></div>
    <div class="row"><label class="grow">${t("knowledge")}<select data-k="knowledge" multiple size="3" ${textsOnly ? "disabled" : ""}>${bases.map(b => `<option value="${esc(b.name)}" ${current.knowledge.includes(b.name) ? "selected" : ""}>${esc(b.name)}</option>`).join("")}</select></label>
      <label class="grow">${t("model")}<select data-k="model" ${textsOnly ? "disabled" : ""}><option value="">–</option>${models.map(m => `<option value="${esc(m.name)}" ${m.name === current.model || m.name === current.model + ":latest" ? "selected" : ""}>${esc(m.name)}</option>`).join("")}</select></label>
      ${field("threshold", t("threshold"), current.threshold, "number")}</div>
    <div class="row">${area("system-prompt", t("systemPrompt"), current["system-prompt"])}</div>
    <div class="row">${area("welcome", t("welcome"), current.welcome)}${area("fallback", t("fallbackText"), current.fallback)}</div>
    <div id="platform"></div>
    <div class="row"><button class="primary" id="savebot">${t("save")}</button><span id="botsaved" class="ok"></span></div></form></div>`;
  if (id) $("[data-k=id]").disabled = true;
  const drawPlatform = () => {
    const ch = $("[data-k=channel]").value, block = current[ch] || {};
    $("#platform").innerHTML = PLATFORM_KEYS[ch].length ? `<h2>${t("platform", ch)}</h2><div class="row">${PLATFORM_KEYS[ch].map(k => {
      const secret = SECRET_KEYS.includes(k), stored = (current.secrets_set || []).includes(k);
      return `<label class="grow">${esc(k)}<input data-p="${k}" type="${secret ? "password" : "text"}" autocomplete="off" value="${esc(secret ? "" : block[k] ?? "")}"
        placeholder="${secret && stored ? t("secretKept") : ""}" ${textsOnly ? "disabled" : ""}></label>`;
    }).join("")}</div>` : "";
  };
  $("[data-k=channel]").onchange = drawPlatform; drawPlatform();
  $("#back").onclick = () => go("bots");
  $("#botform").onsubmit = async e => {
    e.preventDefault();
    const v = k => $(`[data-k="${k}"]`).value;
    try {
      if (textsOnly) {
        await api("/admin/bots/" + encodeURIComponent(id) + "/texts", {method: "PUT", json: Object.fromEntries(TEXT_KEYS.map(k => [k, v(k)]))});
      } else {
        const ch = v("channel"), body = {id: v("id"), channel: ch, knowledge: [...$("[data-k=knowledge]").selectedOptions].map(o => o.value),
          model: v("model"), threshold: Number(v("threshold")), "system-prompt": v("system-prompt"), welcome: v("welcome"), fallback: v("fallback")};
        if (PLATFORM_KEYS[ch].length) body[ch] = Object.fromEntries([...document.querySelectorAll("[data-p]")].map(i => [i.dataset.p, i.value]));
        await api(id ? "/admin/bots/" + encodeURIComponent(id) : "/admin/bots", {method: id ? "PUT" : "POST", json: body});
      }
      go("bots");
    } catch (err) { toast(err.message); }
  };
}

async function deleteBase(name) {
  const users = botsCache.filter(b => b.knowledge.includes(name)).map(b => b.id);
  if (!confirm(users.length ? t("kbDeleteUsed", users.join(", "), name) : t("kbDelete", name))) return false;
  await api("/admin/kb/" + encodeURIComponent(name), {method: "DELETE"});
  return true;
}

PAGES.knowledge = async box => {
  await loadBots();
  if (viewArg) return knowledgeBase(box, viewArg);
  const bases = (await api("/admin/kb")).bases;
  const edit = canEdit("knowledge");
  box.innerHTML = `<div class="card"><h2>${t("kbBases")}</h2>
    ${edit ? `<div class="row"><input id="kbname" placeholder="${t("kbNew")}"><button id="kbcreate" class="primary">${t("create")}</button></div>` : ""}
    ${table([t("knowledge"), t("documents"), t("chunks"), t("size"), t("usedBy"), ""], bases.map(b => `<tr><td><a href="#knowledge/${encodeURIComponent(b.name)}">${esc(b.name)}</a>${b.problem ? ` <span class="err">${esc(b.problem)}</span>` : ""}</td>
      <td>${b.documents}</td><td>${b.chunks}</td><td>${size(b.size_bytes)}</td><td>${esc(botsCache.filter(x => x.knowledge.includes(b.name)).map(x => x.id).join(", "))}</td>
      <td><button data-open="${esc(b.name)}">${t("open")}</button> ${edit ? `<button class="danger" data-del="${esc(b.name)}">${t("delete")}</button>` : ""}</td></tr>`))}</div>`;
  box.querySelectorAll("[data-open]").forEach(b => b.onclick = () => go("knowledge", b.dataset.open));
  box.querySelectorAll("[data-del]").forEach(b => b.onclick = async () => { try { if (await deleteBase(b.dataset.del)) render(); } catch (e) { toast(e.message); } });
  if (edit) $("#kbcreate").onclick = async () => {
    const name = $("#kbname").value.trim();
    try { await api("/admin/kb", {method: "POST", json: {name}}); $("#kbname").value = ""; go("knowledge", name); } catch (e) { toast(e.message); }
  };
};

async function knowledgeBase(box, name) {
  const edit = canEdit("knowledge");
  const [info, docs] = await Promise.all([api("/admin/kb/" + encodeURIComponent(name)), api("/admin/kb/" + encodeURIComponent(name) + "/documents").then(r => r.documents)]);
  box.innerHTML = `<div class="card"><div class="row"><button id="back">← ${t("back")}</button><h2 style="margin:0">${esc(name)}</h2>
      <span class="muted">${info.documents} ${t("documents")} · ${info.chunks} ${t("chunks")} · ${size(info.size_bytes)}</span></div>
    ${edit ? `<div class="row"><b>${t("upload")}</b><input type="file" id="files" multiple><button id="upload" class="primary">${t("importBtn")}</button>
      <div class="bar" id="bar"><div></div></div><span id="job" class="muted"></span></div>` : ""}
    ${table([t("title"), t("source"), t("chunks"), t("imported"), ""], docs.map(d => `<tr><td>${esc(d.title)}</td><td class="muted">${esc(d.source)}</td><td>${d.chunks}</td><td>${esc(when(d.imported_at))}</td>
      <td><button data-preview="${esc(d.id)}">${t("preview")}</button> ${edit ? `<button class="danger" data-deldoc="${esc(d.id)}" data-title="${esc(d.title)}">${t("delete")}</button>` : ""}</td></tr>
      <tr hidden id="chunks-${esc(d.id)}"><td colspan="5"></td></tr>`))}</div>
    <div class="card"><h2>${t("searchTest")}</h2><div class="row"><input id="query" class="grow" placeholder="${t("query")}"><button id="search" class="primary">${t("search")}</button></div><div id="verdicts"></div><div id="hits"></div></div>
    <div class="card"><h2>${t("synonyms")}</h2><div class="row"><label class="grow">${t("synonymsHint")}<textarea id="synonyms" rows="4" style="width:100%" ${edit ? "" : "disabled"}></textarea></label>
      <label class="grow">${t("dictionaryHint")}<textarea id="dictionary" rows="4" style="width:100%" ${edit ? "" : "disabled"}></textarea></label></div>
      ${edit ? `<div class="row"><button id="savewords" class="primary">${t("save")}</button><span id="wordsaved" class="ok"></span></div>` : ""}</div>`;
  $("#back").onclick = () => go("knowledge");
  const base = "/admin/kb/" + encodeURIComponent(name);
  const [syn, dict] = await Promise.all([api(base + "/synonyms"), api(base + "/dictionary")]);
  $("#synonyms").value = syn.rules.join("\n"); $("#dictionary").value = dict.words.join("\n");
  const linesOf = id => $(id).value.split("\n").map(x => x.trim()).filter(x => x);
  if (edit) $("#savewords").onclick = async () => {
    try {
      await api(base + "/synonyms", {method: "PUT", json: {rules: linesOf("#synonyms")}});
      await api(base + "/dictionary", {method: "PUT", json: {words: linesOf("#dictionary")}});
      $("#wordsaved").textContent = t("saved");
    } catch (e) { toast(e.message); }
  };
  box.querySelectorAll("[data-preview]").forEach(b => b.onclick = async () => {
    const row = document.getElementById("chunks-" + b.dataset.preview);
    if (!row.hidden) { row.hidden = true; return; }
    const chunks = (await api(base + "/documents/" + encodeURIComponent(b.dataset.preview) + "/chunks")).chunks;
    const doc = b.dataset.preview;
    row.firstElementChild.innerHTML = chunks.map(c => `<div class="chunk" data-ordinal="${c.ordinal}"><span class="tag">#${c.ordinal} ${esc(c.kind)}</span> ${c.kind === "QA"
      ? "<b>Q:</b> " + esc(c.questions.join(" / ")) + "\n<b>A:</b> " + esc(c.answer) + (edit ? ` <button data-editqa>${t("edit")}</button> <button class="danger" data-delqa>${t("delete")}</button>` : "")
      : esc(c.text)}</div>`).join("");
    row.querySelectorAll("[data-editqa]").forEach(btn => btn.onclick = () => {
      const box = btn.closest(".chunk"), c = chunks.find(x => x.ordinal === +box.dataset.ordinal);
      box.classList.add("editing");
      box.innerHTML = `<div class="row"><label class="grow">${t("question")}<input class="qq" style="width:100%"></label></div>
        <div class="row"><label class="grow">${t("similar")}<textarea class="qs" rows="2" style="width:100%"></textarea></label></div>
        <div class="row"><label class="grow">${t("answer")}<textarea class="qa" rows="3" style="width:100%"></textarea></label></div>
        <div class="row"><button class="primary qsave">${t("save")}</button></div>`;
      box.querySelector(".qq").value = c.questions[0]; box.querySelector(".qs").value = c.questions.slice(1).join("\n"); box.querySelector(".qa").value = c.answer;
      box.querySelector(".qsave").onclick = async () => {
        try {
          await api(base + "/documents/" + encodeURIComponent(doc) + "/qa/" + c.ordinal, {method: "PUT", json: {question: box.querySelector(".qq").value,
            similar: box.querySelector(".qs").value.split("\n").filter(x => x.trim()), answer: box.querySelector(".qa").value}});
          row.hidden = true; b.click();
        } catch (e) { toast(e.message); }
      };
    });
    row.querySelectorAll("[data-delqa]").forEach(btn => btn.onclick = async () => {
      if (!confirm(t("qaDelete"))) return;
      try { await api(base + "/documents/" + encodeURIComponent(doc) + "/qa/" + btn.closest(".chunk").dataset.ordinal, {method: "DELETE"}); render(); } catch (e) { toast(e.message); }
    });
    row.hidden = false;
  });
  box.querySelectorAll("[data-deldoc]").forEach(b => b.onclick = async () => {
    if (!confirm(t("docDelete", b.dataset.title))) return;
    try { await api(base + "/documents/" + encodeURIComponent(b.dataset.deldoc), {method: "DELETE"}); render(); } catch (e) { toast(e.message); }
  });
  if (edit) $("#upload").onclick = async () => {
    const fd = new FormData(); for (const f of $("#files").files) fd.append("file", f, f.name);
    $("#upload").disabled = true;
    try {
      let job = await (await request(base + "/upload", {method: "POST", body: fd})).json();
      while (job.state === "queued" || job.state === "running") {
        const pctDone = job.files_total ? Math.round(100 * job.files_done / job.files_total) : 0;
        const pct = job.eta_seconds > 0 && job.elapsed_seconds > 0 ? Math.round(100 * job.elapsed_seconds / (job.elapsed_seconds + job.eta_seconds)) : pctDone;
        $("#bar").firstElementChild.style.width = pct + "%";
        $("#job").textContent = t("progress", job.state, job.chunks, pct, Math.max(0, job.eta_seconds));
        await new Promise(r => setTimeout(r, 400)); job = await api("/admin/kb/jobs/" + job.id);
      }
      $("#bar").firstElementChild.style.width = "100%";
      const summary = t("done", job.state, job.documents_added, job.documents_replaced, job.documents_unchanged)
        + job.skipped.map(s => " · " + t("skipped", s.source, s.reason)).join("") + (job.error ? " · " + job.error : "");
      await render(); $("#job").textContent = summary; $("#bar").firstElementChild.style.width = "100%";
    } catch (e) { toast(e.message); $("#upload").disabled = false; }
  };
  $("#search").onclick = async () => {
    try {
      const r = await api(base + "/search", {method: "POST", json: {query: $("#query").value, top: 10}});
      // What each bot using this base would do at its threshold (as BotAnswerer decides; this base alone).
      const users = botsCache.filter(b => b.knowledge.includes(name));
      $("#verdicts").innerHTML = users.map(b => {
        const above = r.hits.filter(h => h.score >= b.threshold);
        const verdict = !above.length ? "verdictFallback" : above[0].direct_answer ? "verdictDirect" : b.model ? "verdictModel" : "verdictKnowledge";
        return `<div class="${verdict === "verdictFallback" ? "err" : "ok"}">${esc(t(verdict, b.id, b.threshold))}</div>`;
      }).join("");
      $("#hits").innerHTML = `<p class="muted">${t("hitsIn", r.hits.length, r.took_ms.toFixed(1))}</p>` + r.hits.map((h, i) => `<div class="hit">
        <b>${i + 1}. ${esc(h.title)}</b> ${h.heading_path.length ? "› " + esc(h.heading_path.join(" › ")) : ""} ${h.page ? "p." + h.page : ""}
        ${h.direct_answer ? `<span class="tag">${t("directAnswer")}</span>` : ""}
        <div class="muted">score ${h.score.toFixed(3)} · keyword ${h.keyword_score.toFixed(3)} · vector ${h.vector_similarity.toFixed(3)}</div>
        <div>${DOMPurify.sanitize(h.highlighted, {ALLOWED_TAGS: ["em", "b"]})}</div></div>`).join("");
    } catch (e) { toast(e.message); }
  };
}

let convCache = [];
PAGES.conversations = async box => {
  if (viewArg) return conversationThread(box, viewArg);
  convCache = (await api("/admin/conversations?limit=1000")).messages;
  const uniq = k => [...new Set(convCache.map(m => m[k]))].sort();
  const opts = (all, values) => `<option value="">${all}</option>` + values.map(v => `<option>${esc(v)}</option>`).join("");
  box.innerHTML = `<div class="card"><div class="row"><h2 style="margin:0">${t("conversations")}</h2>
      <select id="fbot">${opts(t("allBots"), uniq("bot"))}</select><select id="fchan">${opts(t("allChannels"), uniq("channel"))}</select>
      <select id="fout">${opts(t("allOutcomes"), ["direct", "knowledge", "model", "fallback", "canned", "error"])}</select>
      <input type="date" id="fday"><button id="csv">${t("exportCsv")}</button><button id="reload">${t("refresh")}</button></div>
      <p class="muted">${t("timesIn", zone)}</p><div id="convtable"></div></div>`;
  box.prepend(await handoffsCard());
  const filtered = () => convCache.filter(m => (!$("#fbot").value || m.bot === $("#fbot").value) && (!$("#fchan").value || m.channel === $("#fchan").value)
    && (!$("#fout").value || ($("#fout").value === "error" ? m.state === "FAILED" : m.policy === $("#fout").value))
    && (!$("#fday").value || new Date(m.received_at).toLocaleDateString("sv") === $("#fday").value));
  const draw = () => {
    $("#convtable").innerHTML = table([t("time"), t("channel"), t("bot"), t("from"), t("question"), t("answer"), t("outcome")], filtered().map(m => `<tr>
      <td>${esc(when(m.received_at))}</td><td>${esc(m.channel)}</td><td>${esc(m.bot)}</td><td>${esc(m.sender)}</td>
      <td><a href="#conversations/${encodeURIComponent(m.conversation)}">${esc(m.text)}</a></td><td>${esc(m.answer)}</td>
      <td>${m.state === "FAILED" ? `<span class="err">${t("error")}: ${esc(m.last_error)}</span>` : esc(m.policy || m.state)}</td></tr>`));
  };
  ["#fbot", "#fchan", "#fout", "#fday"].forEach(s => $(s).onchange = draw);
  $("#reload").onclick = () => render();
  $("#csv").onclick = () => {
    const q = v => '"' + String(v ?? "").replace(/"/g, '""') + '"';
    const csv = "\ufeff" + ["received_at,channel,bot,conversation,sender,question,answer,outcome,state,error"].concat(filtered().map(m =>
      [m.received_at, m.channel, m.bot, m.conversation, m.sender, m.text, m.answer, m.policy, m.state, m.last_error].map(q).join(","))).join("\r\n");
    const a = document.createElement("a"); a.href = URL.createObjectURL(new Blob([csv], {type: "text/csv"})); a.download = "conversations.csv"; a.click();
  };
  draw();
};
async function conversationThread(box, key) {
  const msgs = (await api("/admin/conversations?limit=500&conversation=" + encodeURIComponent(key))).messages.reverse();
  const rate = canEdit("conversations");
  const thumbs = m => rate && m.answer && m.policy !== "agent" && m.state !== "FAILED"
    ? `<span class="rate"><button data-rate="up" data-mid="${m.id}" data-bot="${esc(m.bot)}" title="${t("rateUp")}">${t("up")}</button><button data-rate="down" data-mid="${m.id}" data-bot="${esc(m.bot)}" title="${t("rateDown")}">${t("down")}</button></span>` : "";
  box.innerHTML = `<div class="card thread"><div class="row"><button id="back">← ${t("back")}</button><h2 style="margin:0">${t("thread")}</h2><code class="cb">${esc(key)}</code></div>
    <p class="muted">${t("timesIn", zone)}</p>${msgs.map(m => `${m.text ? `<div class="msg user"><div class="meta">${esc(m.sender)} · ${esc(when(m.received_at))}</div>${esc(m.text)}</div>` : ""}
    ${m.answer || m.state !== "ANSWERED" ? `<div class="msg bot${m.policy === "agent" ? " agent" : ""}">${md(m.answer)}<div class="meta">${m.policy === "agent" ? t("agent") : esc(m.policy || m.state)} ${m.answered_at ? "· " + esc(when(m.answered_at)) : ""} ${m.last_error ? `<span class="err">${esc(m.last_error)}</span>` : ""} ${thumbs(m)}<span class="rated muted"></span></div></div>` : ""}`).join("")}</div>
    <div id="agents"></div>`;
  $("#back").onclick = () => go("conversations");
  box.querySelectorAll("[data-rate]").forEach(b => b.onclick = async () => {
    const note = b.parentElement.nextElementSibling;
    try {
      await api(convPath(b.dataset.bot + ":" + key) + "/messages/" + b.dataset.mid + "/feedback", {method: "POST", json: {rating: b.dataset.rate}});
      b.parentElement.querySelectorAll("button").forEach(x => x.classList.toggle("on", x === b));
      note.textContent = t(b.dataset.rate === "down" ? "ratedDown" : "rated");
    } catch (e) { toast(e.message); }
  });
  if (!botsCache.length) await loadBots();
  for (const bot of [...new Set(msgs.map(m => m.bot))]) {
    const b = botsCache.find(x => x.id === bot);
    if (b && b.channel === "local") $("#agents").insertAdjacentHTML("beforeend", `<p class="muted">${esc(bot)}: ${t("noPlatform")}</p>`);
    else await agentPanel($("#agents"), bot + ":" + key);
  }
}
// A conversation's id in the handoff API is BOT:KEY; the colons of the key stay readable in the path.
const convPath = id => "/admin/conversations/" + encodeURIComponent(id).replace(/%3A/g, ":");

/** The open handoffs, oldest first, each linking to its thread. */
async function handoffsCard() {
  const list = (await api("/admin/conversations?state=handoff")).conversations;
  const card = document.createElement("div"); card.className = "card"; card.id = "handoffs";
  card.innerHTML = `<div class="row"><h2 style="margin:0">${t("handoffs")} <span class="pill ${list.length ? "bad" : "ok"}">${list.length}</span></h2><span class="muted">${t("handoffsNote")}</span></div>
    ${table([t("since"), t("bot"), t("user"), t("question"), t("reason")], list.map(c => `<tr data-handoff="${esc(c.id)}"><td>${esc(when(c.handoff.opened_at))}</td><td>${esc(c.handoff.bot)}</td>
      <td>${esc(c.handoff.user)}</td><td><a href="#conversations/${encodeURIComponent(c.handoff.conversation)}">${esc(c.handoff.question || c.handoff.conversation)}</a></td><td>${esc(c.handoff.reason)}</td></tr>`))}`;
  return card;
}

/** One bot's side of a thread: who answers (bot or person) and, for operators, take over / reply / hand back. */
let agentNote = null;   // what the last action said, kept across the re-render that shows a sent reply in the thread
async function agentPanel(host, id) {
  const el = document.createElement("div"); el.className = "card agentpanel"; el.dataset.conv = id; host.appendChild(el);
  const draw = async (status, cls) => {
    let c;
    try { c = await api(convPath(id)); } catch (e) { el.innerHTML = `<p class="muted">${esc(e.message)}</p>`; return; }
    const person = c.state === "handoff", edit = canEdit("conversations");
    el.innerHTML = `<div class="row"><b>${esc(id.slice(0, id.indexOf(":")))}</b><span class="pill state ${person ? "bad" : "ok"}">${t(person ? "withPerson" : "withBot")}</span>
      ${person && c.handoff ? `<span class="muted">${esc(c.handoff.reason)} · ${esc(when(c.handoff.opened_at))}</span>` : ""}</div>
      ${edit ? `<form class="row agentform"><textarea class="grow agenttext" rows="2" placeholder="${t("replyAs")}"></textarea>
        <button class="primary agentsend">${t("send")}</button></form>
      <div class="row"><button type="button" class="takeover" ${person ? "disabled" : ""}>${t("takeOver")}</button>
        <button type="button" class="release" ${person ? "" : "disabled"}>${t("handBack")}</button></div>` : ""}
      <div class="agentstatus ${cls || "muted"}">${esc(status || "")}</div>`;
    if (!edit) return;
    const act = async fn => {
      let msg, k = "ok";
      try { msg = await fn(); } catch (e) { msg = e.message; k = "err"; }
      if (msg !== null) await draw(msg, k);   // null: the page was drawn anew
    };
    el.querySelector(".agentform").onsubmit = e => {
      e.preventDefault(); const text = el.querySelector(".agenttext").value.trim(); if (!text) return;
      act(async () => {
        const r = await api(convPath(id) + "/reply", {method: "POST", json: {text}});
        agentNote = {id, msg: r.delivered ? t("sent") : t("held", r.note || ""), cls: "ok"}; await render(); return null;
      });
    };
    el.querySelector(".takeover").onclick = () => act(async () => { await api(convPath(id) + "/takeover", {method: "POST", json: {}}); return t("tookOver"); });
    el.querySelector(".release").onclick = () => act(async () => { await api(convPath(id) + "/release", {method: "POST", json: {}}); return t("handedBack"); });
  };
  const note = agentNote && agentNote.id === id ? agentNote : null; agentNote = null;
  await draw(note && note.msg, note && note.cls);
}

PAGES.review = async box => {
  const groups = (await api("/admin/review")).groups;
  const edit = canEdit("knowledge");
  box.innerHTML = `<div class="card"><div class="row"><h2 style="margin:0">${t("review")}</h2><button id="reload">${t("refresh")}</button></div><p class="muted">${t("reviewNote")}</p>
    <p id="reviewdone" class="ok"></p>
    ${groups.map(({group: g, suggestions}) => `<div class="hit rgroup" data-group="${g.id}"><div><b>${esc(g.question)}</b></div>
      <div class="muted">${esc(g.bot)} · ${t("asked", g.items.length)} · ${esc([...new Set(g.items.map(i => i.reason))].join(", "))} · ${esc(when(g.created_at))}</div>
      ${new Set(g.items.map(i => i.question)).size > 1 ? `<div class="muted">${[...new Set(g.items.map(i => i.question))].map(esc).join(" / ")}</div>` : ""}
      ${edit ? `<div class="row">${suggestions.map(x => `<button data-attach="${esc(x.chunk_id)}" data-base="${esc(x.base)}" title="${esc(x.answer)}">${esc(t("attachTo", x.question))}<span class="muted sugg">${esc(x.answer.length > 80 ? x.answer.slice(0, 80) + "…" : x.answer)}</span></button>`).join("") || `<span class="muted">${t("noSuggestions")}</span>`}</div>
      <div class="row"><textarea class="grow newanswer" rows="1" placeholder="${t("newAnswer")}"></textarea><button class="newentry">${t("newEntry")}</button><button class="dismiss danger">${t("dismiss")}</button></div>` : ""}
    </div>`).join("") || `<p class="muted">${t("nothingToReview")}</p>`}</div>`;
  $("#reload").onclick = () => render();
  const resolve = async (g, body) => {
    try {
      await api("/admin/review/" + g.dataset.group + "/resolve", {method: "POST", json: body});
      const q = g.querySelector("b").textContent; g.remove(); $("#reviewdone").textContent = t("resolved", q);
    } catch (e) { toast(e.message); }
  };
  box.querySelectorAll(".rgroup").forEach(g => {
    g.querySelectorAll("[data-attach]").forEach(b => b.onclick = () => resolve(g, {action: "attach", base: b.dataset.base, chunk_id: b.dataset.attach}));
    const n = g.querySelector(".newentry"); if (n) n.onclick = () => resolve(g, {action: "new-entry", answer: g.querySelector(".newanswer").value});
    const d = g.querySelector(".dismiss"); if (d) d.onclick = () => resolve(g, {action: "dismiss"});
  });
};

PAGES.models = async box => {
  const [tags, ps] = await Promise.all([api("/api/tags").then(r => r.models), api("/api/ps").then(r => r.models), loadBots()]);
  const admin = me.role === "admin";
  box.innerHTML = `<div class="card"><h2>${t("models")}</h2>
    ${admin ? `<div class="row"><input id="pullname" class="grow" placeholder="${t("pullPlaceholder")}"><button id="pull" class="primary">${t("pull")}</button><div class="bar" id="pullbar"><div></div></div><span id="pullstatus" class="muted"></span></div>` : ""}
    ${table([t("model"), t("size"), t("family"), t("parameters"), t("quantisation"), t("modified"), t("usedBy"), ""], tags.map(m => `<tr><td>${esc(m.name)}</td><td>${size(m.size)}</td><td>${esc(m.details.family)}</td>
      <td>${esc(m.details.parameter_size)}</td><td>${esc(m.details.quantization_level)}</td><td>${esc(when(m.modified_at))}</td>
      <td>${esc(botsCache.filter(b => b.model === m.name || b.model + ":latest" === m.name).map(b => b.id).join(", "))}</td>
      <td>${admin ? `<button class="danger" data-delmodel="${esc(m.name)}">${t("delete")}</button>` : ""}</td></tr>`))}</div>
    <div class="card"><h2>${t("loaded")}</h2>${table([t("model"), t("memory"), t("busy"), t("queued"), t("context")], ps.map(m => `<tr><td>${esc(m.name)}</td><td>${size(m.size)}</td><td>${m.busy_slots}/${m.slots}</td><td>${m.queued}</td><td>${m.context_length}</td></tr>`))}</div>`;
  box.querySelectorAll("[data-delmodel]").forEach(b => b.onclick = async () => {
    if (!confirm(t("modelDelete", b.dataset.delmodel))) return;
    try { await api("/api/delete", {method: "DELETE", json: {model: b.dataset.delmodel}}); render(); } catch (e) { toast(e.message); }
  });
  if (admin) $("#pull").onclick = async () => {
    $("#pull").disabled = true;
    try {
      await lines("/api/pull", {model: $("#pullname").value}, l => {
        if (l.total) $("#pullbar").firstElementChild.style.width = (100 * l.completed / l.total).toFixed(0) + "%";
        $("#pullstatus").textContent = l.total ? `${l.status} ${(100 * l.completed / l.total).toFixed(0)}% / ${size(l.total)}` : l.status;
      });
      render();
    } catch (e) { $("#pullstatus").textContent = e.message; $("#pull").disabled = false; }
  };
};

// Chat: bots answer through their pipeline (and are recorded under Conversations); models through /api/chat.
const newId = () => Date.now().toString(36) + Math.random().toString(36).slice(2);
const chatKey = () => "botgate-chat:" + me.username;
function chatState() { try { return JSON.parse(localStorage.getItem(chatKey())) || {}; } catch (e) { return {}; } }
function saveChat(s) { localStorage.setItem(chatKey(), JSON.stringify(s)); }
let answering = null;   // AbortController while an answer streams
PAGES.chat = async box => {
  const [bots, models] = await Promise.all([loadBots().then(r => r.bots), api("/api/tags").then(r => r.models)]);
  const s = chatState();
  box.innerHTML = `<div class="card"><div class="row"><label>${t("target")} <select id="target"></select></label><button id="reset">${t("newChat")}</button></div>
    <div id="log"></div>
    <form id="ask" class="row"><input id="question" class="grow" placeholder="${t("ask")}" autocomplete="off">
    <button class="primary" id="send">${t("send")}</button><button type="button" id="stop" disabled>${t("stop")}</button></form></div>`;
  const sel = $("#target");
  bots.forEach(b => sel.add(new Option(t("bot") + ": " + b.id, "bot:" + b.id)));
  models.forEach(m => sel.add(new Option(t("model") + ": " + m.name, "model:" + m.name)));
  if (s.target && [...sel.options].some(o => o.value === s.target)) sel.value = s.target;
  const thread = () => { const st = chatState(); st.threads = st.threads || {}; const k = sel.value; st.threads[k] = st.threads[k] || {id: newId(), turns: []}; return [st, st.threads[k]]; };
  const draw = () => { $("#log").innerHTML = ""; thread()[1].turns.forEach(turn => add(turn.role, turn.content, turn.meta)); };
  sel.onchange = () => { const st = chatState(); st.target = sel.value; saveChat(st); draw(); };
  $("#reset").onclick = () => { const [st, th] = thread(); th.id = newId(); th.turns = []; saveChat(st); draw(); };
  $("#stop").onclick = () => answering && answering.abort();
  $("#ask").onsubmit = async e => {
    e.preventDefault();
    const q = $("#question").value.trim(); if (!q || answering) return;
    $("#question").value = ""; answering = new AbortController(); $("#send").disabled = true; $("#stop").disabled = false;
    const target = sel.value; add("user", q); const out = add("bot", "");
    let text = "", meta = "";
    try {
      if (target.startsWith("bot:")) {
        await lines("/admin/bots/" + encodeURIComponent(target.slice(4)) + "/chat", {message: q, conversation_id: thread()[1].id}, l => {
          if (l.delta) { text += l.delta; out.body.innerHTML = md(text); }
          if (l.done) { text = l.answer; meta = (l.sources.length ? t("sources") + ": " + l.sources.join("; ") + " · " : "") + l.policy; }
        }, answering.signal);
      } else {
        const history = thread()[1].turns.map(x => ({role: x.role === "bot" ? "assistant" : "user", content: x.content}));
        await lines("/api/chat", {model: target.slice(6), messages: history.concat([{role: "user", content: q}])}, l => {
          if (l.message) { text += l.message.content; out.body.innerHTML = md(text); }
        }, answering.signal);
      }
    } catch (err) {
      if (err.name === "AbortError") meta = t("stopped"); else { out.el.classList.add("err"); meta = t("error") + ": " + err.message; }
    } finally {
      out.body.innerHTML = md(text); out.meta.textContent = meta;
      const [st, th] = thread(); th.turns.push({role: "user", content: q}, {role: "bot", content: text, meta}); th.turns = th.turns.slice(-100); saveChat(st);
      answering = null; $("#send").disabled = false; $("#stop").disabled = true; $("#question").focus();
    }
  };
  draw();
};
function add(role, content, meta) {
  const el = document.createElement("div"); el.className = "msg " + role;
  const body = document.createElement("div"); const m = document.createElement("div"); m.className = "meta"; m.textContent = meta || "";
  if (role === "bot") body.innerHTML = md(content); else body.textContent = content;
  el.append(body, m); $("#log").appendChild(el); $("#log").scrollTop = 1e9;
  return {el, body, meta: m};
}

PAGES.users = async box => {
  const users = (await api("/admin/users")).users;
  const roles = ["admin", "operator", "viewer"];
  box.innerHTML = `<div class="card"><h2>${t("users")}</h2>
    <form id="adduser" class="row"><input id="nu" placeholder="${t("username")}" required><input id="np" type="password" placeholder="${t("password")}" autocomplete="new-password" required>
    <select id="nr">${roles.map(r => `<option value="${r}">${t(r)}</option>`).join("")}</select><button class="primary">${t("newUser")}</button></form>
    ${table([t("username"), t("role"), t("created"), t("lastSignIn"), ""], users.map(u => `<tr><td>${esc(u.username)}</td>
      <td><select data-role="${esc(u.username)}">${roles.map(r => `<option value="${r}" ${r === u.role ? "selected" : ""}>${t(r)}</option>`).join("")}</select></td>
      <td>${esc(when(u.created_at))}</td><td>${esc(when(u.last_sign_in))}</td>
      <td>${u.username === me.username ? "" : `<button class="danger" data-deluser="${esc(u.username)}">${t("delete")}</button>`}</td></tr>`))}</div>`;
  $("#adduser").onsubmit = async e => {
    e.preventDefault();
    try { await api("/admin/users", {method: "POST", json: {username: $("#nu").value, password: $("#np").value, role: $("#nr").value}}); render(); } catch (err) { toast(err.message); }
  };
  box.querySelectorAll("[data-role]").forEach(s => s.onchange = async () => {
    try { await api("/admin/users/" + encodeURIComponent(s.dataset.role), {method: "PATCH", json: {role: s.value}}); } catch (err) { toast(err.message); render(); }
  });
  box.querySelectorAll("[data-deluser]").forEach(b => b.onclick = async () => {
    if (!confirm(t("userDelete", b.dataset.deluser))) return;
    try { await api("/admin/users/" + encodeURIComponent(b.dataset.deluser), {method: "DELETE"}); render(); } catch (err) { toast(err.message); }
  });
};

PAGES.account = async box => {
  const keys = (await api("/admin/me/keys")).keys;
  box.innerHTML = `<div class="card"><h2>${t("myKeys")}</h2><p class="muted">${esc(t("signedInAs", me.username, t(me.role)))}</p>
    <form id="addkey" class="row"><input id="kn" placeholder="${t("keyName")}"><select id="ks"><option value="use">use</option>${me.role === "admin" ? '<option value="admin">admin</option>' : ""}</select>
    <button class="primary">${t("newKey")}</button></form><p id="newkey" class="ok"></p>
    ${table([t("keyName"), t("scope"), t("created"), ""], keys.map(k => `<tr><td>${esc(k.name)}</td><td>${esc(k.scope)}</td><td>${esc(when(k.created_at))}</td>
      <td><button class="danger" data-delkey="${k.id}">${t("delete")}</button></td></tr>`))}</div>`;
  $("#addkey").onsubmit = async e => {
    e.preventDefault();
    try { const k = await api("/admin/me/keys", {method: "POST", json: {name: $("#kn").value, scope: $("#ks").value}}); await render(); $("#newkey").textContent = t("keyShown", k.key); } catch (err) { toast(err.message); }
  };
  box.querySelectorAll("[data-delkey]").forEach(b => b.onclick = async () => {
    try { await api("/admin/me/keys/" + b.dataset.delkey, {method: "DELETE"}); render(); } catch (err) { toast(err.message); }
  });
};

// ---------- start ----------
window.addEventListener("hashchange", () => {
  if (!me) return;
  const [v, arg] = location.hash.slice(1).split("/");
  if (VIEWS.includes(v) && (v !== view || (arg ? decodeURIComponent(arg) : null) !== viewArg)) { view = v; viewArg = arg ? decodeURIComponent(arg) : null; render(); }
});
langSelects();
(async () => {
  try {
    const s = await (await fetch("/admin/session", {credentials: "same-origin"})).json();
    if (s.signed_in) { me = {username: s.username, role: s.role, csrf: s.csrf}; startApp(); } else { showGate(); }
  } catch (e) { showGate(); }
})();
