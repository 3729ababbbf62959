// The sandbox page: plain DOM, no framework. Every piece of text from GitHub or a person is put in
// the page with textContent or createTextNode, never as HTML, so a body cannot inject markup.
"use strict";

const $ = (id) => document.getElementById(id);
const entries = new Map();
let lastSeq = 0;
let issues = [];

function el(tag, props, children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (key === "text") node.textContent = value;
    else if (key === "className") node.className = value;
    else node.setAttribute(key, value);
  }
  for (const child of children || []) node.append(child);
  return node;
}

// Inline Markdown: `code`, **bold**, [text](http...) links; everything else is text.
const INLINE = /(`[^`]+`)|(\*\*[^*]+\*\*)|\[([^\]]+)\]\((https?:\/\/[^\s)]+)\)/g;

function decodeEntities(text) {
  // Shepherd writes logins and titles with entities so they never ping: show them as text.
  return text
    .replace(/\\([\\`*_{}[\]()#+\-.!|<>])/g, "$1")
    .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code) => String.fromCodePoint(parseInt(code, 16)))
    .replace(
      /&(amp|lt|gt|quot|nbsp);/g,
      (_, name) => ({ amp: "&", lt: "<", gt: ">", quot: '"', nbsp: "\u00a0" })[name],
    );
}

function inline(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(INLINE)) {
    if (match.index > last) fragment.append(decodeEntities(text.slice(last, match.index)));
    if (match[1]) fragment.append(el("code", { text: match[1].slice(1, -1) }));
    else if (match[2]) fragment.append(el("strong", {}, [inline(match[2].slice(2, -2))]));
    else
      fragment.append(
        el("a", { href: match[4], rel: "noopener noreferrer", target: "_blank", text: decodeEntities(match[3]) }),
      );
    last = match.index + match[0].length;
  }
  if (last < text.length) fragment.append(decodeEntities(text.slice(last)));
  return fragment;
}

function tableRow(line, cellTag) {
  const cells = line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => el(cellTag, {}, [inline(cell.trim().replace(/\\\|/g, "|"))]));
  return el("tr", {}, cells);
}

// Block Markdown, line by line: fences, headings, tables, lists, quotes, paragraphs, and the
// <details>/<summary> pair Shepherd collapses explanations with (rebuilt as elements, not parsed).
function renderMarkdown(source) {
  const root = el("div", { className: "markdown" });
  const stack = [root];
  const lines = source.replace(/<!--[\s\S]*?-->/g, "").split(/\r?\n/);
  let i = 0;
  const top = () => stack[stack.length - 1];
  while (i < lines.length) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed.startsWith("```")) {
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].trim().startsWith("```")) code.push(lines[i++]);
      i += 1;
      top().append(el("pre", {}, [el("code", { text: code.join("\n") })]));
      continue;
    }
    const details = /^<details( open)?>\s*(?:<summary>(.*)<\/summary>)?$/i.exec(trimmed);
    if (details) {
      const node = el("details", details[1] ? { open: "" } : {});
      if (details[2] !== undefined) node.append(el("summary", {}, [inline(details[2])]));
      top().append(node);
      stack.push(node);
      i += 1;
      continue;
    }
    const summary = /^<summary>(.*)<\/summary>$/i.exec(trimmed);
    if (summary) {
      top().append(el("summary", {}, [inline(summary[1])]));
      i += 1;
      continue;
    }
    if (/^<\/details>$/i.test(trimmed)) {
      if (stack.length > 1) stack.pop();
      i += 1;
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(trimmed);
    if (heading) {
      top().append(el(`h${Math.min(heading[1].length + 2, 6)}`, {}, [inline(heading[2])]));
      i += 1;
      continue;
    }
    if (trimmed.startsWith("|")) {
      const table = el("table");
      const rows = [];
      while (i < lines.length && lines[i].trim().startsWith("|")) rows.push(lines[i++]);
      rows.forEach((row, index) => {
        if (/^\|?\s*:?-{2,}/.test(row.trim().replace(/^\|/, "")) && index === 1) return;
        table.append(tableRow(row, index === 0 ? "th" : "td"));
      });
      top().append(table);
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      // Nested by indentation, as the digest groups items under "version, subsystem".
      const newList = (text) => el(/^\s*\d+\./.test(text) ? "ol" : "ul");
      const levels = [{ indent: line.length - line.trimStart().length, list: newList(line) }];
      top().append(levels[0].list);
      while (i < lines.length && /^\s*([-*]|\d+\.)\s+/.test(lines[i])) {
        const indent = lines[i].length - lines[i].trimStart().length;
        while (levels.length > 1 && indent < levels[levels.length - 1].indent) levels.pop();
        const current = levels[levels.length - 1];
        if (indent > current.indent && current.list.lastElementChild) {
          const nested = { indent, list: newList(lines[i]) };
          current.list.lastElementChild.append(nested.list);
          levels.push(nested);
        }
        levels[levels.length - 1].list.append(el("li", {}, [inline(lines[i].replace(/^\s*([-*]|\d+\.)\s+/, ""))]));
        i += 1;
      }
      continue;
    }
    if (trimmed.startsWith(">")) {
      top().append(el("blockquote", {}, [inline(trimmed.replace(/^>\s?/, ""))]));
      i += 1;
      continue;
    }
    if (trimmed === "") {
      i += 1;
      continue;
    }
    const paragraph = [];
    while (
      i < lines.length &&
      lines[i].trim() !== "" &&
      !/^(```|<\/?details|<summary>|#{1,6}\s|\||\s*[-*]\s|>)/.test(lines[i].trim())
    ) {
      paragraph.push(lines[i++].trim());
    }
    if (paragraph.length === 0) paragraph.push(lines[i++].trim());
    const p = el("p");
    paragraph.forEach((text, index) => {
      if (index > 0) p.append(el("br"));
      p.append(inline(text));
    });
    top().append(p);
  }
  return root;
}

function chips(values, className) {
  return values.map((value) => el("span", { className: `chip ${className || ""}`.trim(), text: value }));
}

function renderEntry(entry) {
  const bot = entry.actor.endsWith("[bot]");
  const problem = entry.kind === "delivery-failed";
  const header = el("header", {}, [
    el("span", { className: "actor", text: entry.actor }),
    " ",
    el("span", { className: "summary", text: entry.summary }),
  ]);
  if (entry.issue !== null) header.append(el("span", { className: "ref", text: `#${entry.issue}` }));
  header.append(
    el("time", { datetime: new Date(entry.at).toISOString(), text: new Date(entry.at).toLocaleTimeString() }),
  );
  const node = el(
    "article",
    {
      className: `entry ${bot ? "bot" : "person"} ${problem ? "problem" : ""} kind-${entry.kind}`,
      id: `entry-${entry.id}`,
      "data-kind": entry.kind,
      "data-actor": entry.actor,
      "data-issue": entry.issue === null ? "" : String(entry.issue),
    },
    [header],
  );
  if (entry.labels && entry.labels.length > 0) node.append(el("div", {}, chips(entry.labels)));
  if (entry.body) node.append(renderMarkdown(entry.body));
  return node;
}

function addEntries(list) {
  const timeline = $("timeline");
  for (const entry of list) {
    lastSeq = Math.max(lastSeq, entry.seq);
    const node = renderEntry(entry);
    const existing = entries.get(entry.id);
    if (existing) existing.replaceWith(node);
    else timeline.prepend(node);
    entries.set(entry.id, node);
  }
  if (entries.size > 0) $("timeline-empty")?.remove();
}

function renderIssues() {
  const list = $("issues");
  const select = $("comment-issue");
  const chosen = select.value;
  list.replaceChildren();
  select.replaceChildren();
  for (const issue of [...issues].reverse()) {
    const parts = [el("strong", { text: `#${issue.number} ` }), `${issue.pull ? "PR: " : ""}${issue.title} `];
    parts.push(...chips(issue.labels));
    parts.push(
      ...chips(
        issue.assignees.map((login) => `assigned: ${login}`),
        "person",
      ),
    );
    if (issue.milestone) parts.push(...chips([`milestone: ${issue.milestone}`], "milestone"));
    list.append(el("li", { "data-issue": String(issue.number) }, parts));
    select.append(el("option", { value: String(issue.number), text: `#${issue.number} ${issue.title}` }));
  }
  if (chosen && issues.some((issue) => String(issue.number) === chosen)) select.value = chosen;
}

async function api(path, body) {
  const response = await fetch(
    path,
    body === undefined
      ? {}
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
  );
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

async function refreshState() {
  const state = await api("/api/state");
  $("repo").textContent = state.repo;
  const actor = $("actor");
  if (actor.options.length === 0) {
    for (const user of state.users)
      actor.append(el("option", { value: user.login, text: `${user.login} (${user.role})` }));
  }
  issues = state.issues;
  renderIssues();
}

async function poll() {
  try {
    addEntries((await api(`/api/timeline?since=${lastSeq}`)).entries);
    await refreshState();
  } catch (error) {
    console.warn("sandbox poll failed", error);
  }
  setTimeout(poll, 700);
}

function busy(button, status, work) {
  return async (event) => {
    event?.preventDefault();
    button.disabled = true;
    status.textContent = "…";
    try {
      status.textContent = await work();
    } catch (error) {
      status.textContent = `failed: ${error.message}`;
    } finally {
      button.disabled = false;
    }
  };
}

$("item-form").addEventListener(
  "submit",
  busy($("item-submit"), $("item-status"), async () => {
    const files = $("item-files")
      .value.split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    const result = await api("/api/items", {
      user: $("actor").value,
      title: $("item-title").value,
      body: $("item-body").value,
      files,
    });
    await refreshState();
    $("comment-issue").value = String(result.number);
    $("item-title").value = "";
    $("item-body").value = "";
    $("item-files").value = "";
    return `opened #${result.number} (webhook answered ${result.status})`;
  }),
);

$("comment-form").addEventListener(
  "submit",
  busy($("comment-submit"), $("comment-status"), async () => {
    const result = await api("/api/comments", {
      user: $("actor").value,
      number: Number($("comment-issue").value),
      body: $("comment-body").value,
    });
    $("comment-body").value = "";
    return `commented (webhook answered ${result.status})`;
  }),
);

$("digest-button").addEventListener(
  "click",
  busy($("digest-button"), $("digest-status"), async () => {
    const result = await api("/api/digest", {});
    return result.code === 0 ? "digest task done" : `digest task failed: ${result.output}`;
  }),
);

poll();
