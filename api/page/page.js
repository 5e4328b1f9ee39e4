// The timeline page: filters drive a stacked histogram, a timeline and a network, drawn by
// plotly.js from the API's own feeds; clicking an event shows it with its sources. It works
// at any size: one page of events, actors found by prefix, never a walk over every page.
"use strict";

const form = document.getElementById("filters");
const statusLine = document.getElementById("status");
const TYPE_COLORS = {};
const TYPE_LABELS = {};
// The timeline draws one page of the earliest matching events, the network its heaviest links.
const TIMELINE_PAGE = 100;
const NETWORK_LINKS = 60;
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"];

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  const body = await response.json();
  if (!response.ok) {
    const fields = body.errors ? Object.entries(body.errors).map(([k, v]) => `${k}: ${v.join(" ")}`) : [];
    throw new Error([body.detail, ...fields].join(" "));
  }
  return body;
}

function filterParams() {
  const params = new URLSearchParams();
  for (const name of ["from", "to", "q"]) {
    const value = document.getElementById(name).value.trim();
    if (value) params.set(name, value);
  }
  const actors = [...document.querySelectorAll("#actors-chosen li")].map((item) => item.dataset.id);
  if (actors.length) params.set("actor", actors.join(","));
  for (const box of document.querySelectorAll("#types input:checked")) params.append("type", box.value);
  return params;
}

async function loadVocabularies() {
  const types = await getJson("/v1/event-types");
  const fieldset = document.getElementById("types");
  types.data.forEach((type, index) => {
    TYPE_COLORS[type.slug] = PALETTE[index % PALETTE.length];
    TYPE_LABELS[type.slug] = type.label;
    const label = document.createElement("label");
    const box = document.createElement("input");
    Object.assign(box, { type: "checkbox", name: "type", value: type.slug });
    label.append(box, ` ${type.label} (${type.event_count})`);
    fieldset.appendChild(label);
  });
}

// The actor picker: suggestions by name or alias prefix, chosen actors shown as removable chips.
const actorSearch = document.getElementById("actor-search");
const suggested = new Map();
let suggestionTimer;

async function suggestActors() {
  const prefix = actorSearch.value.trim();
  if (!prefix) return;
  const page = await getJson(`/v1/actors?${new URLSearchParams({ q: prefix, limit: "20" })}`);
  const options = document.getElementById("actor-options");
  options.replaceChildren();
  suggested.clear();
  for (const actor of page.data) {
    const value = `${actor.name} (${actor.id})`;
    suggested.set(value, actor);
    options.appendChild(new Option(`${actor.event_count} events`, value));
  }
}

function chooseActor(actor) {
  const chosen = document.getElementById("actors-chosen");
  if (chosen.querySelector(`li[data-id="${CSS.escape(actor.id)}"]`)) return;
  const item = document.createElement("li");
  item.dataset.id = actor.id;
  item.textContent = actor.name;
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = "×";
  remove.setAttribute("aria-label", `Remove ${actor.name}`);
  remove.addEventListener("click", () => { item.remove(); refresh(); });
  item.appendChild(remove);
  chosen.appendChild(item);
}

actorSearch.addEventListener("input", () => {
  const picked = suggested.get(actorSearch.value);
  if (picked) {
    chooseActor(picked);
    actorSearch.value = "";
    refresh();
    return;
  }
  clearTimeout(suggestionTimer);
  suggestionTimer = setTimeout(() => suggestActors().catch((error) => {
    statusLine.textContent = error.message;
  }), 150);
});

async function drawHistogram(params) {
  const query = new URLSearchParams(params);
  const interval = document.getElementById("interval").value;
  query.set("interval", interval);
  query.set("group_by", "type");
  if (document.getElementById("exclude-imprecise").checked) query.set("imprecise", "exclude");
  const histogram = await getJson(`/v1/stats/histogram?${query}`);
  // Each series is drawn twice: its precise events solid, its imprecise ones hatched.
  const excluded = histogram.imprecise === "exclude";
  const traces = histogram.series.flatMap((series) => {
    const precise = series.counts.map((count, i) => (excluded ? count : count - series.imprecise[i]));
    const common = { type: "bar", x: histogram.buckets, legendgroup: series.key, name: escapeHtml(series.label) };
    const solid = { ...common, y: precise, marker: { color: TYPE_COLORS[series.key] },
      hovertemplate: "%{x}: %{y} with precise dates<extra>%{fullData.name}</extra>" };
    if (excluded) return [solid];
    const hatched = { ...common, y: series.imprecise, showlegend: false,
      marker: { color: TYPE_COLORS[series.key],
        pattern: { shape: "/", fillmode: "overlay", fgcolor: "white", size: 6, solidity: 0.4 } },
      hovertemplate: "%{x}: %{y} with imprecise dates<extra>%{fullData.name}</extra>" };
    return [solid, hatched];
  });
  const layout = {
    barmode: "stack",
    margin: { t: 10, r: 10, b: 60, l: 40 },
    xaxis: { type: "category", title: { text: interval } },
    yaxis: { title: { text: "events" }, rangemode: "tozero", fixedrange: true },
    legend: { orientation: "h", y: 1.15 },
  };
  const chart = document.getElementById("histogram");
  await Plotly.react(chart, traces, layout, { displaylogo: false, responsive: true });
  document.getElementById("interval-name").textContent = interval;
  document.getElementById("histogram-total").textContent = histogram.total;
  chart.dataset.total = histogram.total;
  chart.bucketStarts = histogram.bucket_starts;
  chart.interval = histogram.interval;
  if (!chart.zoomListening) {
    chart.on("plotly_relayout", zoomToRange);
    chart.zoomListening = true;
  }
}

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

// The last day of the bucket starting on `start` (YYYY-MM-DD), for a histogram interval.
function bucketEnd(start, interval) {
  const next = new Date(`${start}T00:00:00Z`);
  if (interval === "year") next.setUTCFullYear(next.getUTCFullYear() + 1);
  else if (interval === "quarter") next.setUTCMonth(next.getUTCMonth() + 3);
  else if (interval === "month") next.setUTCMonth(next.getUTCMonth() + 1);
  else if (interval === "week") next.setUTCDate(next.getUTCDate() + 7);
  else next.setUTCDate(next.getUTCDate() + 1);
  next.setUTCDate(next.getUTCDate() - 1);
  return isoDay(next);
}

// Dragging across the histogram's bars narrows the date range to the buckets it covers.
function zoomToRange(change) {
  if (!("xaxis.range[0]" in change)) return;
  const chart = document.getElementById("histogram");
  const starts = chart.bucketStarts || [];
  const first = Math.max(0, Math.ceil(change["xaxis.range[0]"]));
  const last = Math.min(starts.length - 1, Math.floor(change["xaxis.range[1]"]));
  if (first > last) return;
  document.getElementById("from").value = starts[first];
  document.getElementById("to").value = bucketEnd(starts[last], chart.interval);
  refresh();
}

async function drawTimeline(params) {
  const query = new URLSearchParams([...params, ["limit", String(TIMELINE_PAGE)], ["sort", "date"],
    ["count", "true"]]);
  const page = await getJson(`/v1/events?${query}`);
  const events = page.data;
  document.getElementById("timeline-total").textContent = page.meta.total;
  document.getElementById("timeline-hint").hidden = page.meta.total <= events.length;
  const dayMs = 86400000;
  const byType = {};
  for (const event of events) (byType[event.type] ||= []).push(event);
  // A bar spans the days an event can mean; a diamond marks where it can start, so that
  // one-day events stay visible beside spans of years.
  const traces = Object.entries(byType).flatMap(([type, list]) => {
    // plotly reads names and hover text as its own HTML: user text goes in escaped.
    const common = { name: escapeHtml(TYPE_LABELS[type] || type), legendgroup: type, y: list.map((e) => e.id),
      customdata: list.map((e) => [escapeHtml(e.title), e.date, e.precision]),
      marker: { color: TYPE_COLORS[type] },
      hovertemplate: "%{customdata[0]}<br>%{customdata[1]} (%{customdata[2]})<extra>%{fullData.name}</extra>" };
    return [
      { ...common, type: "bar", orientation: "h", base: list.map((e) => e.date_start),
        x: list.map((e) => Date.parse(e.date_end) - Date.parse(e.date_start) + dayMs) },
      { ...common, type: "scatter", mode: "markers", showlegend: false, x: list.map((e) => e.date_start),
        marker: { color: TYPE_COLORS[type], symbol: "diamond", size: 9 } },
    ];
  });
  const layout = {
    barmode: "overlay",
    height: Math.max(240, 130 + 26 * events.length),
    margin: { t: 70, r: 10, b: 40, l: 330 },
    xaxis: { type: "date" },
    yaxis: { autorange: "reversed", categoryorder: "array", categoryarray: events.map((e) => e.id),
      tickvals: events.map((e) => e.id), tickfont: { size: 10 },
      ticktext: events.map((e) => escapeHtml(e.title.length > 55 ? `${e.title.slice(0, 54)}…` : e.title)) },
    legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },
  };
  await Plotly.react("timeline", traces, layout, { displaylogo: false, responsive: true });
  document.getElementById("timeline-count").textContent = events.length;
  const timeline = document.getElementById("timeline");
  timeline.dataset.count = events.length;
  timeline.removeAllListeners?.("plotly_click");
  timeline.on("plotly_click", (click) => showEvent(click.points[0].y));
}

function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// The publishers of the sources an event's citations were read in (`via`), by source id.
async function relayPublishers(citations) {
  const ids = [...new Set(citations.map((s) => s.via).filter(Boolean))];
  const sources = await Promise.all(ids.map((id) => getJson(`/v1/sources/${encodeURIComponent(id)}`)));
  return Object.fromEntries(sources.map((source) => [source.id, source.publisher]));
}

function citationHtml(s, relays) {
  // A citation read second-hand is credited as such, and its quote is the relaying source's.
  const via = s.via ? `<span class="via">, via ${escapeHtml(relays[s.via] ?? s.via)}</span>` : "";
  const quote = s.quote
    ? `<blockquote${s.via ? ` title="${escapeHtml(`As quoted by ${relays[s.via] ?? s.via}`)}"` : ""}>${escapeHtml(s.quote)}</blockquote>`
    : "";
  return `<li><strong>${escapeHtml(s.publisher)}</strong>${via}: ${escapeHtml(s.title)}${quote}</li>`;
}

async function showEvent(id) {
  const event = await getJson(`/v1/events/${encodeURIComponent(id)}`);
  const relays = await relayPublishers(event.sources);
  const actors = event.actors.map((a) => `${escapeHtml(a.name)} <small>(${a.role})</small>`).join(", ");
  const sources = event.sources.map((s) => citationHtml(s, relays)).join("");
  document.getElementById("details-body").innerHTML = `
    <h3>${escapeHtml(event.title)}</h3>
    <dl><dt>Date</dt><dd>${escapeHtml(event.date)} (${event.precision}: ${event.date_start} to ${event.date_end})</dd>
    <dt>Type</dt><dd>${escapeHtml(event.type)}</dd><dt>Status</dt><dd>${escapeHtml(event.status)}</dd>
    <dt>Actors</dt><dd>${actors}</dd></dl>
    <p>${escapeHtml(event.summary)}</p>
    ${event.note ? `<p><small>${escapeHtml(event.note)}</small></p>` : ""}
    <h4>Sources</h4><ul class="sources">${sources}</ul>`;
  document.getElementById("details").hidden = false;
}

// Actors on a circle, heaviest first; a line per link, as wide as its events are many, with an
// arrow where it is directed. Names go through escapeHtml: plotly reads its text as HTML.
async function drawNetwork(params) {
  const query = new URLSearchParams([...params, ["limit", String(NETWORK_LINKS)]]);
  const network = await getJson(`/v1/stats/network?${query}`);
  const degree = {};
  for (const link of network.links) {
    degree[link.source] = (degree[link.source] || 0) + link.weight;
    degree[link.target] = (degree[link.target] || 0) + link.weight;
  }
  const nodes = [...network.nodes].sort((a, b) => (degree[b.id] || 0) - (degree[a.id] || 0));
  const place = {};
  nodes.forEach((node, i) => {
    const angle = (2 * Math.PI * i) / Math.max(nodes.length, 1);
    place[node.id] = [Math.cos(angle), Math.sin(angle)];
  });
  const heaviest = Math.max(1, ...network.links.map((link) => link.weight));
  const lines = network.links.map((link) => ({
    type: "scatter", mode: "lines", hoverinfo: "text", showlegend: false,
    x: [place[link.source][0], place[link.target][0]], y: [place[link.source][1], place[link.target][1]],
    line: { width: 1 + (7 * link.weight) / heaviest, color: link.directed ? "#8a1c1c" : "#9aa3b5" },
    text: escapeHtml(`${link.source} ${link.directed ? "→" : "–"} ${link.target}: ${link.weight} events`),
  }));
  const arrows = network.links.filter((link) => link.directed).map((link) => ({
    x: place[link.target][0] * 0.93, y: place[link.target][1] * 0.93, xref: "x", yref: "y",
    ax: place[link.source][0], ay: place[link.source][1], axref: "x", ayref: "y",
    showarrow: true, arrowhead: 3, arrowsize: 1.2, arrowcolor: "#8a1c1c", text: "",
  }));
  const points = {
    type: "scatter", mode: "markers+text", showlegend: false, hoverinfo: "text",
    x: nodes.map((node) => place[node.id][0]), y: nodes.map((node) => place[node.id][1]),
    text: nodes.map((node) => escapeHtml(node.name)), textposition: "top center",
    hovertext: nodes.map((node) => escapeHtml(`${node.name} (${node.kind}): ${degree[node.id] || 0}`)),
    marker: { size: nodes.map((node) => 8 + Math.sqrt(degree[node.id] || 0)), color: "#1f77b4" },
  };
  const hidden = { visible: false, range: [-1.3, 1.3], fixedrange: true };
  const chart = document.getElementById("network");
  await Plotly.react(chart, [...lines, points], {
    margin: { t: 10, r: 10, b: 10, l: 10 }, xaxis: hidden, yaxis: { ...hidden, scaleanchor: "x" },
    annotations: arrows,
  }, { displaylogo: false, responsive: true });
  chart.dataset.links = network.links.length;
}

async function refresh() {
  const params = filterParams();
  statusLine.textContent = "";
  document.body.dataset.state = "loading";
  try {
    await Promise.all([drawHistogram(params), drawTimeline(params), drawNetwork(params)]);
    document.body.dataset.state = "ready";
  } catch (error) {
    statusLine.textContent = error.message;
    document.body.dataset.state = "error";
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
form.addEventListener("reset", () => {
  document.getElementById("actors-chosen").replaceChildren();
  setTimeout(refresh, 0);
});
form.addEventListener("change", (event) => { if (event.target.type !== "search") refresh(); });
document.getElementById("close-details").addEventListener("click", () => {
  document.getElementById("details").hidden = true;
});
loadVocabularies().then(refresh).catch((error) => { statusLine.textContent = error.message; });
