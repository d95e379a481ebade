package org.territorypotential.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.LineString;
import org.locationtech.jts.geom.Polygon;

/** JSON for the report: data embedded in a {@code <script type="application/json">} block, and GeoJSON geometry. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  public static String write(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the report's JSON: " + e.getMessage(), e);
    }
  }

  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * {@code value} as JSON that is safe inside an HTML script element: {@code <}, {@code >} and
   * {@code &} (which can only occur inside JSON strings) become \\u escapes, so a name holding
   * {@code </script>} cannot end the block, and U+2028/2029 are escaped for old JS parsers.
   */
  public static String forScript(Object value) {
    return escapeForScript(write(value));
  }

  static String escapeForScript(String json) {
    StringBuilder b = new StringBuilder(json.length() + 16);
    for (int i = 0; i < json.length(); i++) {
      char c = json.charAt(i);
      switch (c) {
        case '<' -> b.append("\\u003c");
        case '>' -> b.append("\\u003e");
        case '&' -> b.append("\\u0026");
        case '\u2028' -> b.append("\\u2028");
        case '\u2029' -> b.append("\\u2029");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A (multi)polygon as a GeoJSON geometry object (lon/lat order, as WGS84 WKB stores it). */
  public static Map<String, Object> geometry(Geometry g) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (g instanceof Polygon p) {
      out.put("type", "Polygon");
      out.put("coordinates", rings(p));
    } else {
      List<Object> polys = new ArrayList<>();
      for (int i = 0; i < g.getNumGeometries(); i++) {
        if (g.getGeometryN(i) instanceof Polygon p && !p.isEmpty()) {
          polys.add(rings(p));
        }
      }
      out.put("type", "MultiPolygon");
      out.put("coordinates", polys);
    }
    return out;
  }

  private static List<Object> rings(Polygon p) {
    List<Object> rings = new ArrayList<>();
    rings.add(ring(p.getExteriorRing()));
    for (int i = 0; i < p.getNumInteriorRing(); i++) {
      rings.add(ring(p.getInteriorRingN(i)));
    }
    return rings;
  }

  private static List<double[]> ring(LineString r) {
    List<double[]> pts = new ArrayList<>();
    for (Coordinate c : r.getCoordinates()) {
      pts.add(new double[] {c.x, c.y});
    }
    return pts;
  }
}
