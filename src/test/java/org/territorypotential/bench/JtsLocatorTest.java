package org.territorypotential.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.io.ParseException;
import org.locationtech.jts.io.WKTReader;

/** The JTS reference loop of the locate benchmark on three unit squares side by side (no timing). */
class JtsLocatorTest {
  @Test
  void countsLocatedPointsAndEdgeMatches() throws ParseException {
    WKTReader r = new WKTReader();
    List<Geometry> squares = List.of(
        r.read("POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))"),
        r.read("POLYGON ((1 0, 2 0, 2 1, 1 1, 1 0))"),
        r.read("POLYGON ((2 0, 3 0, 3 1, 2 1, 2 0))"));
    JtsLocator jts = new JtsLocator(squares);
    // inside the 1st, inside the 3rd, on the shared edge of the 1st and 2nd, outside all, just above
    double[] lon = {0.5, 2.5, 1.0, 4.0, 1.5};
    double[] lat = {0.5, 0.5, 0.5, 0.5, 1.0001};
    assertEquals(new JtsLocator.Counts(3, 4), jts.locate(lon, lat));
    assertEquals(new JtsLocator.Counts(1, 2), jts.locate(lon, lat, 2, 4));
  }
}
