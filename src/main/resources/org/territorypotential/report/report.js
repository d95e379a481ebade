/* Territory Potential report: draws the map and charts from the JSON block #tp-data. No network. */
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('tp-data').textContent);
  var bands = data.bands;
  var SEQ = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];
  var BAND_COLORS = {good: '#1a9850', mid: '#fdae61', low: '#d73027', none: '#bdbdbd'};

  function fmt(v, d) { return v === null || v === undefined ? '-' : Number(v).toFixed(d === undefined ? 1 : d); }
  function bandOf(v) {
    if (v === null || v === undefined) { return 'none'; }
    return v >= bands.satisfactory ? 'good' : v >= bands.needsImprovement ? 'mid' : 'low';
  }
  function text(tag, s, cls) { var e = document.createElement(tag); e.textContent = s; if (cls) { e.className = cls; } return e; }

  // ---- map ----
  var map = L.map('map', {zoomSnap: 0.25, attributionControl: false, preferCanvas: false});
  var metricSel = document.getElementById('metric');
  var levelSel = document.getElementById('level');
  var breaks = {};
  function quantiles(values) {
    var v = values.filter(function (x) { return x !== null && x !== undefined; }).sort(function (a, b) { return a - b; });
    if (!v.length) { return []; }
    var q = [];
    for (var i = 1; i < SEQ.length; i++) { q.push(v[Math.min(v.length - 1, Math.floor(i * v.length / SEQ.length))]); }
    return q;
  }
  // market segments (the segment stage's unit_segments): a categorical colour per segment, units only
  var SEGMENT_COLORS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666',
    '#8dd3c7', '#fb8072', '#80b1d3', '#fdb462'];
  var segments = data.segments || [];
  function segmentColour(id) {
    for (var i = 0; i < segments.length; i++) { if (segments[i].id === id) { return SEGMENT_COLORS[i % SEGMENT_COLORS.length]; } }
    return BAND_COLORS.none;
  }
  if (segments.length) {
    var opt = document.createElement('option');
    opt.value = 'segment';
    opt.textContent = 'market segment (geo units)';
    metricSel.appendChild(opt);
  }
  function colour(metric, v, level) {
    if (metric === 'segment') { return segmentColour(v); }
    if (metric === 'effectiveness') { return BAND_COLORS[bandOf(v)]; }
    if (v === null || v === undefined) { return BAND_COLORS.none; }
    var b = breaks[level + ':' + metric], i = 0;
    while (i < b.length && v >= b[i]) { i++; }
    return SEQ[i];
  }
  ['territories', 'units'].forEach(function (level) {
    data.metrics.forEach(function (m) {
      breaks[level + ':' + m.key] = quantiles(data[level].features.map(function (f) { return f.properties[m.key]; }));
    });
  });
  function styler(level) {
    return function (f) {
      return {color: '#333', weight: level === 'territories' ? 1.2 : 0.4, fillOpacity: 0.75,
        fillColor: colour(metricSel.value, f.properties[metricSel.value], level)};
    };
  }
  function tooltip(f) {
    var p = f.properties, div = document.createElement('div');
    div.appendChild(text('b', p.id + (p.dealer_name ? ' (' + p.dealer_name + ')' : '')));
    data.metrics.forEach(function (m) { div.appendChild(text('div', m.label + ': ' + fmt(p[m.key]))); });
    if (p.segment) { div.appendChild(text('div', 'Segment: ' + p.segment + ' ' + p.segment_name)); }
    return div;
  }
  var layers = {
    territories: L.geoJSON(data.territories, {className: 'tp-territory', style: styler('territories'),
      onEachFeature: function (f, l) { l.bindTooltip(tooltip(f)); l.on('click', function () { selectTerritory(f.properties.id); }); }}),
    units: L.geoJSON(data.units, {className: 'tp-unit', style: styler('units'),
      onEachFeature: function (f, l) { l.bindTooltip(tooltip(f)); }})
  };
  layers[levelSel.value].addTo(map);
  // The MDA hatch: a pattern in its own zero-size SVG of the page (fill="url(#tp-hatch)" resolves across
  // the document). Not in Leaflet's overlay SVG: Leaflet creates that only once the map has a view, so a
  // pattern added to it here was never added, and the MDAs were drawn with no fill at all.
  (function () {
    var ns = 'http://www.w3.org/2000/svg';
    var holder = document.createElementNS(ns, 'svg');
    holder.setAttribute('width', '0'); holder.setAttribute('height', '0'); holder.setAttribute('aria-hidden', 'true');
    holder.style.position = 'absolute';
    var defs = document.createElementNS(ns, 'defs'), pat = document.createElementNS(ns, 'pattern');
    pat.setAttribute('id', 'tp-hatch'); pat.setAttribute('width', '6'); pat.setAttribute('height', '6');
    pat.setAttribute('patternUnits', 'userSpaceOnUse'); pat.setAttribute('patternTransform', 'rotate(45)');
    var line = document.createElementNS(ns, 'line');
    line.setAttribute('x1', '0'); line.setAttribute('y1', '0'); line.setAttribute('x2', '0'); line.setAttribute('y2', '6');
    line.setAttribute('stroke', '#222'); line.setAttribute('stroke-width', '1.5');
    pat.appendChild(line); defs.appendChild(pat); holder.appendChild(defs); document.body.appendChild(holder);
  })();
  var mdas = L.geoJSON(data.mdas, {className: 'tp-mda', interactive: false,
    style: {stroke: false, fillColor: 'url(#tp-hatch)', fillOpacity: 0.6}}).addTo(map);
  var pmas = L.geoJSON(data.pmas, {className: 'tp-pma', interactive: false,
    style: {color: '#000', weight: 2, dashArray: '5 4', fill: false}}).addTo(map);
  var dealers = L.layerGroup(data.dealers.filter(function (d) { return d.lon !== null; }).map(function (d) {
    var m = L.circleMarker([d.lat, d.lon], {className: 'tp-dealer', radius: 6, color: '#000', weight: 1.5,
      fillColor: BAND_COLORS[bandOf(d.effectiveness)], fillOpacity: 1});
    var div = document.createElement('div');
    div.appendChild(text('b', d.name));
    div.appendChild(text('div', 'Effectiveness: ' + fmt(d.effectiveness) + ' (' + (d.band || '-') + ')'));
    m.bindTooltip(div);
    return m;
  })).addTo(map);
  var all = L.featureGroup([layers.territories, layers.units]);
  if (all.getBounds().isValid()) { map.fitBounds(all.getBounds(), {padding: [8, 8]}); } else { map.setView([0, 0], 2); }
  var legend = L.control({position: 'bottomright'});
  legend.onAdd = function () { this.div = L.DomUtil.create('div', 'tp-legend'); return this.div; };
  legend.addTo(map);
  function drawLegend() {
    var m = metricSel.value, div = legend.div;
    var label = m === 'segment' ? 'Market segment (geo units)' : data.metrics.filter(function (x) { return x.key === m; })[0].label;
    div.textContent = '';
    div.appendChild(text('b', label));
    function row(c, s) { var r = text('div', s); var k = document.createElement('i'); k.style.background = c; r.insertBefore(k, r.firstChild); div.appendChild(r); }
    if (m === 'segment') {
      segments.forEach(function (sg) { row(segmentColour(sg.id), sg.id + ' ' + sg.name); });
    } else if (m === 'effectiveness') {
      row(BAND_COLORS.good, '>= ' + bands.satisfactory);
      row(BAND_COLORS.mid, bands.needsImprovement + ' to < ' + bands.satisfactory);
      row(BAND_COLORS.low, '< ' + bands.needsImprovement);
    } else {
      var b = breaks[levelSel.value + ':' + m];
      for (var i = 0; i <= b.length; i++) {
        row(SEQ[i], i === 0 ? '< ' + fmt(b[0]) : i === b.length ? '>= ' + fmt(b[i - 1]) : fmt(b[i - 1]) + ' to < ' + fmt(b[i]));
      }
    }
    row(BAND_COLORS.none, 'no value');
    row('repeating-linear-gradient(45deg,#222 0 1px,#fff 1px 4px)', 'multiple-dealer area (MDA)');
  }
  function restyle() {
    ['territories', 'units'].forEach(function (l) { layers[l].setStyle(styler(l)); });
    drawLegend();
  }
  metricSel.addEventListener('change', function () {
    // segments colour geo units: switch the map to them
    if (metricSel.value === 'segment' && levelSel.value !== 'units') {
      levelSel.value = 'units';
      levelSel.dispatchEvent(new Event('change'));
    } else {
      restyle();
    }
  });
  levelSel.addEventListener('change', function () {
    ['territories', 'units'].forEach(function (l) { map.removeLayer(layers[l]); });
    layers[levelSel.value].addTo(map);
    layers[levelSel.value].bringToBack();
    restyle();
  });
  drawLegend();

  // ---- effectiveness by dealer ----
  var ds = data.dealers.slice().sort(function (a, b) { return (b.effectiveness || -1) - (a.effectiveness || -1); });
  var bars = echarts.init(document.getElementById('bars'), null, {renderer: 'svg'});
  var top = Math.max(130, Math.ceil(Math.max.apply(null, ds.map(function (d) { return d.effectiveness || 0; })) / 10) * 10 + 10);
  bars.setOption({
    animation: false,
    grid: {left: 50, right: 20, top: 20, bottom: 110},
    tooltip: {trigger: 'item'},
    xAxis: {type: 'category', data: ds.map(function (d) { return d.name; }), axisLabel: {rotate: 50, interval: 0}},
    yAxis: {type: 'value', name: 'effectiveness', max: top},
    series: [{type: 'bar', name: 'registration effectiveness', data: ds.map(function (d) {
      return {value: d.effectiveness, itemStyle: {color: BAND_COLORS[bandOf(d.effectiveness)]}};
    }),
    markArea: {silent: true, data: [
      [{yAxis: bands.satisfactory, itemStyle: {color: 'rgba(26,152,80,0.08)'}}, {yAxis: top}],
      [{yAxis: bands.needsImprovement, itemStyle: {color: 'rgba(253,174,97,0.12)'}}, {yAxis: bands.satisfactory}],
      [{yAxis: 0, itemStyle: {color: 'rgba(215,48,39,0.06)'}}, {yAxis: bands.needsImprovement}]]},
    markLine: {silent: true, symbol: 'none', label: {formatter: '{c}'}, data: [{yAxis: bands.satisfactory}, {yAxis: bands.needsImprovement}]}}]
  });

  // ---- forecast against actual for the selected territory ----
  var fc = echarts.init(document.getElementById('forecast'), null, {renderer: 'svg'});
  var terrSel = document.getElementById('territory');
  function selectTerritory(id) {
    terrSel.value = id;
    var s = data.series[id] || {months: [], actual: [], forecast: [], lower80: [], upper80: [], lower95: [], upper95: []};
    function diff(u, l) { return u.map(function (x, i) { return x === null || l[i] === null ? null : x - l[i]; }); }
    var band = function (name, lower, upper, stack, c) {
      return [{name: name, type: 'line', data: lower, stack: stack, lineStyle: {opacity: 0}, symbol: 'none'},
        {name: name, type: 'line', data: diff(upper, lower), stack: stack, lineStyle: {opacity: 0}, symbol: 'none',
          areaStyle: {color: c}}];
    };
    fc.setOption({
      animation: false, legend: {top: 0}, tooltip: {trigger: 'axis'},
      grid: {left: 50, right: 20, top: 30, bottom: 30},
      xAxis: {type: 'category', data: s.months}, yAxis: {type: 'value', name: 'registrations'},
      series: band('95% interval', s.lower95, s.upper95, 'b95', 'rgba(33,113,181,0.15)')
        .concat(band('80% interval', s.lower80, s.upper80, 'b80', 'rgba(33,113,181,0.3)'))
        .concat([{name: 'forecast', type: 'line', data: s.forecast, color: '#08306b', symbol: 'none'},
          {name: 'actual', type: 'line', data: s.actual, color: '#d94801', symbolSize: 4}])
    }, true);
    document.getElementById('forecast-title').textContent = 'Forecast against actual: ' + id;
  }
  terrSel.addEventListener('change', function () { selectTerritory(terrSel.value); });
  if (terrSel.value) { selectTerritory(terrSel.value); }

  window.tpReport = {data: data, map: map, layers: layers, dealers: dealers, pmas: pmas, mdas: mdas, bars: bars, forecast: fc,
    selectTerritory: selectTerritory};
  document.body.setAttribute('data-rendered', 'true');
}());
