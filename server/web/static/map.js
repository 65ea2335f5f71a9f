// Case map with Leaflet (served locally) over the configured tile URL; the plain SVG
// plot stays hidden unless Leaflet is missing.
(function () {
  "use strict";
  var box = document.getElementById("map");
  if (!box || typeof L === "undefined") {
    var plain = document.getElementById("plain-map");
    if (plain) { plain.classList.remove("fallback"); }
    if (box) { box.style.display = "none"; }
    return;
  }
  var points = JSON.parse(box.getAttribute("data-points"));
  var map = L.map(box, { attributionControl: true });
  L.tileLayer(box.getAttribute("data-tiles"), { maxZoom: 20 }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var isCase = p[2] === "case";
    L.circleMarker([p[0], p[1]], {
      radius: isCase ? 9 : 5, color: isCase ? "#ff3b30" : "#0e6bb8", weight: 2,
      fillOpacity: isCase ? 0.25 : 0.9
    }).addTo(map);
    bounds.push([p[0], p[1]]);
  });
  map.fitBounds(bounds, { maxZoom: 18, padding: [30, 30] });
})();
