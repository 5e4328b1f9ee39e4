// The timeline page: filters drive a stacked histogram and a timeline, both drawn by plotly.js
// from the API's own feeds; clicking an event shows it with its sources.
"use strict";

const form = document.getElementById("filters");
const statusLine = document.getElementById("status");
const TYPE_COLORS = {};
const TYPE_LABELS = {};
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
  for (const option of document.getElementById("actor").selectedOptions) params.append("actor", option.value);
  for (const box of document.querySelectorAll("#types input:checked")) params.append("type", box.value);
  return params;
}

async function loadVocabularies() {
  const [types, actors] = await Promise.all([getJson("/v1/event-types"), getJson("/v1/actors?limit=500")]);
  const fieldset = document.getElementById("types");
  types.data.forEach((type, index) => {
    TYPE_COLORS[type.slug] = PALETTE[index % PALETTE.length];
    TYPE_LABELS[type.slug] = type.label;
    const label = document.createElement("label");
    label.innerHTML = `<input type="checkbox" name="type" value="${type.slug}"> ${type.label} (${type.event_count})`;
    fieldset.appendChild(label);
  });
  const select = document.getElementById("actor");
  for (const actor of actors.data.filter((a) => a.event_count > 0)) {
    select.appendChild(new Option(`${actor.name} (${actor.event_count})`, actor.id));
  }
}

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
    const common = { type: "bar", x: histogram.buckets, legendgroup: series.key, name: series.label };
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
    yaxis: { title: { text: "events" }, rangemode: "tozero" },
    legend: { orientation: "h", y: 1.15 },
  };
  await Plotly.react("histogram", traces, layout, { displaylogo: false, responsive: true });
  document.getElementById("interval-name").textContent = interval;
  document.getElementById("histogram-total").textContent = histogram.total;
  document.getElementById("histogram").dataset.total = histogram.total;
}

async function fetchAllEvents(params) {
  const events = [];
  let url = `/v1/events?${new URLSearchParams([...params, ["limit", "500"]])}`;
  while (url) {
    const page = await getJson(url);
    events.push(...page.data);
    url = page.links.next;
  }
  return events;
}

async function drawTimeline(params) {
  const events = await fetchAllEvents(params);
  const dayMs = 86400000;
  const byType = {};
  for (const event of events) (byType[event.type] ||= []).push(event);
  // A bar spans the days an event can mean; a diamond marks where it can start, so that
  // one-day events stay visible beside spans of years.
  const traces = Object.entries(byType).flatMap(([type, list]) => {
    const common = { name: TYPE_LABELS[type] || type, legendgroup: type, y: list.map((e) => e.id),
      customdata: list.map((e) => [e.title, e.date, e.precision]),
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
      ticktext: events.map((e) => (e.title.length > 55 ? `${e.title.slice(0, 54)}…` : e.title)) },
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

async function refresh() {
  const params = filterParams();
  statusLine.textContent = "";
  document.body.dataset.state = "loading";
  try {
    await Promise.all([drawHistogram(params), drawTimeline(params)]);
    document.body.dataset.state = "ready";
  } catch (error) {
    statusLine.textContent = error.message;
    document.body.dataset.state = "error";
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); refresh(); });
form.addEventListener("reset", () => setTimeout(refresh, 0));
form.addEventListener("change", (event) => { if (event.target.type !== "search") refresh(); });
document.getElementById("close-details").addEventListener("click", () => {
  document.getElementById("details").hidden = true;
});
loadVocabularies().then(refresh).catch((error) => { statusLine.textContent = error.message; });
