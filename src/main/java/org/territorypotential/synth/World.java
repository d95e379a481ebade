package org.territorypotential.synth;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.locationtech.jts.geom.Coordinate;
import org.locationtech.jts.geom.Envelope;
import org.locationtech.jts.geom.Geometry;
import org.locationtech.jts.geom.GeometryFactory;
import org.locationtech.jts.geom.Polygon;
import org.locationtech.jts.geom.PrecisionModel;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.operation.overlayng.OverlayNGRobust;
import org.locationtech.jts.precision.GeometryPrecisionReducer;
import org.locationtech.jts.triangulate.VoronoiDiagramBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The synthetic region, built on the driver: geography (Voronoi tracts grouped into counties),
 * demographics, dealers, the product catalog, and the market model (expected registrations per
 * unit, month and segment, brand shares, the dealer choice model). Everything here is small (it
 * grows with units x months x segments, never with the number of registrations) and a pure
 * function of the parameters and the run date: the same seed gives the same world.
 *
 * <p>Geometry is computed on a local plane in kilometres (x east, y north from the region's
 * south-west corner; an equirectangular projection, affine, so containment and centroids carry
 * over exactly) and converted to WGS84 longitude/latitude on output.
 */
public final class World {
  private static final Logger LOG = LoggerFactory.getLogger(World.class);

  /** Invented state code of the generated geo unit ids (no real state uses 99). */
  static final String STATE_CODE = "99";
  private static final List<String> COUNTY_NAMES = List.of("Alder", "Basalt", "Cedar", "Dunmore", "Elkhorn",
      "Fernwood", "Granite", "Hollis", "Ironwood", "Juniper", "Kettle", "Larch", "Marrow", "Nettle", "Osprey",
      "Pinecrest", "Quarry", "Ravensdale", "Sorrel", "Tamarack", "Umber", "Vesper", "Willet", "Yarrow", "Bramble",
      "Coulee", "Driftwood", "Ember", "Foxglove", "Glacier");
  private static final List<String> DEALER_SUFFIXES = List.of("Motors", "Auto Center", "Cars", "Auto Group", "Motor Company");

  /** A census-tract-like unit: one Voronoi cell. Distances and areas in km. */
  public static final class Unit {
    public int idx;
    public String geoUnitId;
    public String name;
    public String zip;
    public int county;
    public double seedX;
    public double seedY;
    /** Radius (km) of the disk around the seed that lies inside the cell: where its residents are placed. */
    public double radiusKm;
    public double centroidX;
    public double centroidY;
    public double areaKm2;
    public Polygon cellKm;
    public double population;
    public double households;
    public double income;
    public double commuteMinutes;
    public double workFromHomePct;
    public double popGrowth;
    /** 0 (dense) .. 1 (rural), from population density. */
    public double rurality;
    /** Segment mix (sums to 1). */
    public double[] mix;
    /** Relative new-vehicle demand of the unit (population x income effect). */
    public double demand;
    /** Nearest open dealer of our brand at the run date (its PMA), by centroid distance. */
    public int pmaDealer;
    /** Factor on our brand's share here: the planted factor in the two planted PMAs, else NaN (see otherFactor). */
    public double ourShareFactor = Double.NaN;
  }

  /** A county: a group of tracts; also the territory. */
  public static final class County {
    public int idx;
    public String geoUnitId;
    public String name;
    public double centreX;
    public double centreY;
    public Geometry geometryKm;
    public String territoryId;
    public String district;
    public String region;
    public String owner;
  }

  /** A sales point. */
  public static final class Dealer {
    public int idx;
    public String dealerId;
    public String name;
    public String brand;
    public double x;
    public double y;
    public LocalDate openDate;
    public LocalDate closeDate;
    public double attractiveness;
  }

  /** One month of the generated window. {@code days} is the number of days generated (the run month is partial). */
  public record Month(int idx, LocalDate start, int days, int year, int monthOfYear, double tYears, double factor) {}

  /** Non-empty (unit, month, segment) cell: {@code count} registrations with ids first..first+count-1. */
  public record Cell(int unit, int month, int segment, long count, long firstSeq) {}

  /** One planted fact, for ops.planted_truths. */
  public record Truth(String truth, String subjectId, double value, String description) {}

  public final SynthParams params;
  public final LocalDate asOf;
  public final double lon0;
  public final double lat0;
  /** km per degree of longitude / latitude. */
  public final double kx;
  public final double ky;
  public final double widthKm;
  public final double heightKm;
  public final List<Unit> units = new ArrayList<>();
  public final List<County> counties = new ArrayList<>();
  public final List<Dealer> dealers = new ArrayList<>();
  public final List<Month> months = new ArrayList<>();
  public final List<Cell> cells = new ArrayList<>();
  public final List<Truth> truths = new ArrayList<>();
  public Catalog catalog;
  /** Cumulative brand choice thresholds per unit and segment (brand order of the catalog). */
  public double[][][] brandCum;
  /** Our open dealers per epoch (0: before the closure, 1: after) and unit: ids and cumulative choice thresholds. */
  public String[][][] choiceIds;
  public double[][][] choiceCum;
  public Dealer closedDealer;
  public Dealer underperformer;
  public Dealer parityDealer;
  /** Factor on our share per segment in units outside the planted PMAs (1, or the compensation). */
  public double[] otherFactor;

  private final GeometryFactory gf = new GeometryFactory(new PrecisionModel(1e6));
  private double[] centreX;
  private double[] centreY;
  private double[] centreSigma;
  private double[] centreWeight;

  private World(SynthParams p, LocalDate asOf) {
    this.params = p;
    this.asOf = asOf;
    this.lon0 = p.minLongitude();
    this.lat0 = p.minLatitude();
    double latMid = Math.toRadians((p.minLatitude() + p.maxLatitude()) / 2);
    this.kx = 111.320 * Math.cos(latMid);
    this.ky = 110.574;
    this.widthKm = (p.maxLongitude() - p.minLongitude()) * kx;
    this.heightKm = (p.maxLatitude() - p.minLatitude()) * ky;
  }

  /** Builds the whole world. Each step draws from its own random stream, so steps do not shift each other. */
  public static World build(SynthParams p, LocalDate asOf) {
    long t0 = System.nanoTime();
    World w = new World(p, asOf);
    w.placeCentres(w.rng(1));
    w.tessellate(w.seeds(w.rng(2)));
    w.groupCounties(w.rng(3));
    w.describeUnits(w.rng(4));
    w.buildMonths();
    w.catalog = Catalog.build(p, w.rng(5));
    w.placeDealers(w.rng(6));
    w.plantDealers();
    w.sampleCells(w.rng(8));
    w.compensate();
    w.brandShares(w.rng(7));
    w.choiceModel();
    w.recordTruths();
    LOG.info("synthetic world: {} tracts in {} counties, {} dealers, {} months, {} non-empty cells ({} ms)",
        w.units.size(), w.counties.size(), w.dealers.size(), w.months.size(), w.cells.size(),
        (System.nanoTime() - t0) / 1_000_000);
    return w;
  }

  private SplittableRandom rng(long salt) {
    return new SplittableRandom(params.seed() * 0x9E3779B97F4A7C15L + salt * 0xBF58476D1CE4E5B9L);
  }

  // ---------------------------------------------------------------- geography

  private void placeCentres(SplittableRandom rng) {
    int k = params.populationCentres();
    centreX = new double[k];
    centreY = new double[k];
    centreSigma = new double[k];
    centreWeight = new double[k];
    double minSide = Math.min(widthKm, heightKm);
    double total = 0;
    for (int i = 0; i < k; i++) {
      centreWeight[i] = 1.0 / (i + 1);
      total += centreWeight[i];
    }
    for (int i = 0; i < k; i++) {
      double x = 0;
      double y = 0;
      for (int attempt = 0; attempt < 200; attempt++) {
        x = widthKm * (0.15 + 0.7 * rng.nextDouble());
        y = heightKm * (0.15 + 0.7 * rng.nextDouble());
        boolean farEnough = true;
        for (int j = 0; j < i; j++) {
          farEnough &= Math.hypot(x - centreX[j], y - centreY[j]) > 0.25 * minSide;
        }
        if (farEnough) {
          break;
        }
      }
      centreX[i] = x;
      centreY[i] = y;
      centreSigma[i] = minSide * (0.035 + 0.055 * centreWeight[i]);
      centreWeight[i] /= total;
    }
  }

  /** Tract seed points: most clustered around the centres (Gaussian), the rest spread over the region. */
  private List<Coordinate> seeds(SplittableRandom rng) {
    double margin = Math.min(0.5, 0.01 * Math.min(widthKm, heightKm));
    double minSep = 0.05;
    Map<Long, List<Coordinate>> grid = new HashMap<>();
    List<Coordinate> out = new ArrayList<>();
    while (out.size() < params.geoUnits()) {
      double x;
      double y;
      if (rng.nextDouble() < params.ruralShare()) {
        x = widthKm * rng.nextDouble();
        y = heightKm * rng.nextDouble();
      } else {
        int c = pick(centreWeight, rng.nextDouble());
        x = centreX[c] + centreSigma[c] * rng.nextGaussian();
        y = centreY[c] + centreSigma[c] * rng.nextGaussian();
      }
      if (x < margin || y < margin || x > widthKm - margin || y > heightKm - margin) {
        continue;
      }
      Coordinate p = new Coordinate(gf.getPrecisionModel().makePrecise(x), gf.getPrecisionModel().makePrecise(y));
      long gx = (long) Math.floor(p.x);
      long gy = (long) Math.floor(p.y);
      boolean clash = false;
      for (long dx = -1; dx <= 1 && !clash; dx++) {
        for (long dy = -1; dy <= 1 && !clash; dy++) {
          for (Coordinate q : grid.getOrDefault(key(gx + dx, gy + dy), List.of())) {
            clash |= q.distance(p) < minSep;
          }
        }
      }
      if (!clash) {
        grid.computeIfAbsent(key(gx, gy), k -> new ArrayList<>()).add(p);
        out.add(p);
      }
    }
    return out;
  }

  private static long key(long gx, long gy) {
    return gx * 1_000_003L + gy;
  }

  /** Voronoi cells of the seeds, clipped to the region rectangle and snapped to a 1 mm grid. */
  private void tessellate(List<Coordinate> seeds) {
    Envelope rectEnv = new Envelope(0, widthKm, 0, heightKm);
    Geometry rect = gf.toGeometry(rectEnv);
    VoronoiDiagramBuilder vb = new VoronoiDiagramBuilder();
    vb.setSites(seeds);
    vb.setClipEnvelope(rectEnv);
    Geometry diagram = vb.getDiagram(gf);
    Map<Coordinate, Polygon> bySite = new HashMap<>();
    for (int i = 0; i < diagram.getNumGeometries(); i++) {
      Geometry cell = diagram.getGeometryN(i);
      Geometry clipped = GeometryPrecisionReducer.reduce(cell.intersection(rect), gf.getPrecisionModel());
      if (!(clipped instanceof Polygon) || clipped.isEmpty() || !clipped.isValid()) {
        throw new IllegalStateException("Voronoi cell " + i + " is not one valid polygon: " + clipped.getGeometryType());
      }
      bySite.put(new Coordinate((Coordinate) cell.getUserData()), (Polygon) clipped);
    }
    for (Coordinate s : seeds) {
      Polygon cell = bySite.get(s);
      if (cell == null) {
        throw new IllegalStateException("no Voronoi cell for seed " + s);
      }
      Unit u = new Unit();
      u.seedX = s.x;
      u.seedY = s.y;
      u.cellKm = cell;
      u.areaKm2 = cell.getArea();
      Coordinate c = cell.getCentroid().getCoordinate();
      u.centroidX = c.x;
      u.centroidY = c.y;
      // The disk around the seed whose radius is below the distance to the cell's boundary lies in the cell.
      u.radiusKm = 0.9 * cell.getExteriorRing().distance(gf.createPoint(s));
      units.add(u);
    }
  }

  /**
   * Counties: centres on a jittered grid, each tract in the county of its nearest centre; empty
   * counties are dropped. Tracts are then numbered within their county, north to south.
   */
  private void groupCounties(SplittableRandom rng) {
    int n = params.counties();
    int cols = Math.max(1, (int) Math.round(Math.sqrt(n * widthKm / heightKm)));
    int rows = (int) Math.ceil((double) n / cols);
    List<double[]> centres = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < cols; c++) {
        double cw = widthKm / cols;
        double ch = heightKm / rows;
        centres.add(new double[] {cw * (c + 0.5 + 0.5 * (rng.nextDouble() - 0.5)), ch * (r + 0.5 + 0.5 * (rng.nextDouble() - 0.5))});
      }
    }
    while (centres.size() > n) {
      centres.remove(rng.nextInt(centres.size()));
    }
    int[] countyOf = new int[units.size()];
    int[] size = new int[centres.size()];
    for (int i = 0; i < units.size(); i++) {
      Unit u = units.get(i);
      int best = 0;
      for (int c = 1; c < centres.size(); c++) {
        if (dist(u.seedX, u.seedY, centres.get(c)[0], centres.get(c)[1])
            < dist(u.seedX, u.seedY, centres.get(best)[0], centres.get(best)[1])) {
          best = c;
        }
      }
      countyOf[i] = best;
      size[best]++;
    }
    List<String> names = new ArrayList<>(COUNTY_NAMES);
    shuffle(names, rng);
    int[] newIdx = new int[centres.size()];
    for (int c = 0; c < centres.size(); c++) {
      if (size[c] == 0) {
        newIdx[c] = -1;
        continue;
      }
      County k = new County();
      k.idx = counties.size();
      k.geoUnitId = STATE_CODE + String.format(Locale.ROOT, "%03d", 2 * k.idx + 1);
      k.name = (k.idx < names.size() ? names.get(k.idx) : names.get(k.idx % names.size()) + " " + (k.idx / names.size() + 1)) + " County";
      k.centreX = centres.get(c)[0];
      k.centreY = centres.get(c)[1];
      newIdx[c] = k.idx;
      counties.add(k);
    }
    for (int i = 0; i < units.size(); i++) {
      units.get(i).county = newIdx[countyOf[i]];
    }
    // Stable order: by county, then north to south, then west to east.
    units.sort(Comparator.<Unit>comparingInt(u -> u.county).thenComparingDouble(u -> -u.seedY).thenComparingDouble(u -> u.seedX));
    int[] next = new int[counties.size()];
    for (int i = 0; i < units.size(); i++) {
      Unit u = units.get(i);
      County k = counties.get(u.county);
      int j = ++next[u.county];
      u.idx = i;
      u.geoUnitId = k.geoUnitId + String.format(Locale.ROOT, "%04d00", j);
      u.name = "Census Tract " + j + ", " + k.name;
      u.zip = String.format(Locale.ROOT, "%05d", 10_000 + i);
    }
    for (County k : counties) {
      List<Geometry> cells = new ArrayList<>();
      double sx = 0;
      double sy = 0;
      for (Unit u : units) {
        if (u.county == k.idx) {
          cells.add(u.cellKm);
          sx += u.centroidX;
          sy += u.centroidY;
        }
      }
      Geometry g = OverlayNGRobust.union((Collection<Geometry>) cells, gf);
      if (!g.isValid()) {
        throw new IllegalStateException("county " + k.geoUnitId + " geometry is not valid");
      }
      k.geometryKm = g;
      k.centreX = sx / cells.size();
      k.centreY = sy / cells.size();
    }
    assignTerritories();
  }

  /** Territory = county; districts group neighbouring counties; regions split the region west to east. */
  private void assignTerritories() {
    List<County> byX = new ArrayList<>(counties);
    byX.sort(Comparator.comparingDouble(k -> k.centreX));
    int regions = Math.min(params.regions(), counties.size());
    int district = 0;
    for (int r = 0; r < regions; r++) {
      int from = r * byX.size() / regions;
      int to = (r + 1) * byX.size() / regions;
      List<County> inRegion = new ArrayList<>(byX.subList(from, to));
      inRegion.sort(Comparator.comparingDouble(k -> -k.centreY));
      for (int i = 0; i < inRegion.size(); i++) {
        if (i % params.countiesPerDistrict() == 0) {
          district++;
        }
        County k = inRegion.get(i);
        k.region = "R" + (r + 1);
        k.district = String.format(Locale.ROOT, "D%02d", district);
      }
    }
    for (County k : counties) {
      k.territoryId = String.format(Locale.ROOT, "T%02d", k.idx + 1);
      k.owner = "Territory Manager " + (k.idx + 1);
    }
  }

  /** Demographics and demand: dense near centres, income highest in the suburban ring, pickups where it is rural. */
  private void describeUnits(SplittableRandom rng) {
    double phase1 = 2 * Math.PI * rng.nextDouble();
    double phase2 = 2 * Math.PI * rng.nextDouble();
    for (Unit u : units) {
      double best = Double.MAX_VALUE;
      double bestRel = Double.MAX_VALUE;
      double urban = 0;
      for (int c = 0; c < centreX.length; c++) {
        double d = dist(u.seedX, u.seedY, centreX[c], centreY[c]);
        best = Math.min(best, d);
        double rel = d / centreSigma[c];
        bestRel = Math.min(bestRel, rel);
        urban = Math.max(urban, Math.exp(-rel * rel / 2));
      }
      u.population = Math.round(clamp(4200 * Math.exp(0.25 * rng.nextGaussian()), 1200, 9500));
      double density = u.population / Math.max(u.areaKm2, 0.01);
      u.rurality = 1.0 / (1.0 + density / 150.0);
      double ring = Math.exp(-Math.pow(bestRel - 1.0, 2) / 0.5);
      double smooth = Math.sin(u.seedX / 23.0 + phase1) * Math.cos(u.seedY / 31.0 + phase2);
      u.income = Math.round(clamp(58_000 * (1 + 0.6 * ring) * (1 + 0.2 * smooth) * Math.exp(0.12 * rng.nextGaussian()),
          28_000, 220_000) / 100.0) * 100.0;
      u.households = Math.round(u.population / clamp(2.15 + 0.6 * u.rurality + 0.1 * rng.nextGaussian(), 1.6, 3.4));
      u.commuteMinutes = round1(clamp(18 + 0.35 * Math.min(best, 60) + 3 * rng.nextGaussian(), 10, 60));
      u.workFromHomePct = round1(clamp(4 + 0.18 * (u.income / 1000 - 35) + 2 * rng.nextGaussian(), 1, 40));
      u.popGrowth = 0.004 + 0.012 * urban + 0.004 * rng.nextGaussian();
      double q = u.income / 75_000;
      double r = u.rurality;
      double[] m = {
          Catalog.BASE_MIX[0] * (1.3 - 0.6 * r) * Math.pow(q, -0.5),
          Catalog.BASE_MIX[1] * (1.1 - 0.3 * r),
          Catalog.BASE_MIX[2],
          Catalog.BASE_MIX[3] * (0.9 + 0.3 * r) * Math.pow(q, 0.2),
          Catalog.BASE_MIX[4] * (0.4 + 2.0 * r) * Math.pow(q, -0.3),
          Catalog.BASE_MIX[5] * Math.pow(q, 1.8) * (1.1 - 0.5 * r)};
      double sum = Arrays.stream(m).sum();
      for (int s = 0; s < m.length; s++) {
        m[s] /= sum;
      }
      u.mix = m;
      u.demand = u.population * Math.pow(q, 0.5);
    }
  }

  // ---------------------------------------------------------------- time

  private void buildMonths() {
    YearMonth last = YearMonth.from(asOf);
    YearMonth first = last.minusMonths(params.months() - 1);
    for (int i = 0; i < params.months(); i++) {
      YearMonth ym = first.plusMonths(i);
      int days = ym.equals(last) ? asOf.getDayOfMonth() : ym.lengthOfMonth();
      double t = (i + 0.5) / 12.0;
      double season = 1 + params.seasonalAmplitude() * Math.cos(2 * Math.PI * (ym.getMonthValue() - params.seasonalPeakMonth()) / 12.0);
      double factor = season * Math.pow(1 + params.marketTrend(), t) * days / ym.lengthOfMonth();
      months.add(new Month(i, ym.atDay(1), days, ym.getYear(), ym.getMonthValue(), t, factor));
    }
  }

  public LocalDate windowStart() {
    return months.get(0).start();
  }

  // ---------------------------------------------------------------- dealers

  private void placeDealers(SplittableRandom rng) {
    double[] popCum = new double[units.size()];
    double acc = 0;
    for (Unit u : units) {
      acc += u.population;
      popCum[u.idx] = acc;
    }
    int ours = params.ourDealers();
    List<String> brands = catalog.brands;
    LocalDate latestOpen = windowStart().minusYears(1);
    long span = latestOpen.toEpochDay() - LocalDate.of(1968, 1, 1).toEpochDay();
    for (int i = 0; i < params.dealers(); i++) {
      String brand = i < ours ? brands.get(0) : brands.get(1 + (i - ours) % (brands.size() - 1));
      int candidates = i < ours ? 16 : 3;
      double bestX = 0;
      double bestY = 0;
      double bestScore = -1;
      for (int c = 0; c < candidates; c++) {
        Unit u = units.get(pickCum(popCum, rng.nextDouble() * acc));
        double a = 2 * Math.PI * rng.nextDouble();
        double rr = u.radiusKm * Math.sqrt(rng.nextDouble());
        double x = u.seedX + rr * Math.cos(a);
        double y = u.seedY + rr * Math.sin(a);
        double score = Double.MAX_VALUE;
        for (Dealer d : dealers) {
          if (d.brand.equals(brand)) {
            score = Math.min(score, dist(x, y, d.x, d.y));
          }
        }
        if (score > bestScore) {
          bestScore = score;
          bestX = x;
          bestY = y;
        }
      }
      Dealer d = new Dealer();
      d.idx = i;
      d.dealerId = String.format(Locale.ROOT, "D%04d", i + 1);
      d.brand = brand;
      d.x = bestX;
      d.y = bestY;
      d.attractiveness = 1 + params.attractivenessSpread() * (rng.nextDouble() - 0.5);
      d.openDate = LocalDate.ofEpochDay(LocalDate.of(1968, 1, 1).toEpochDay() + (long) (rng.nextDouble() * span));
      String place = counties.get(units.get(nearestUnit(d.x, d.y)).county).name.replace(" County", "");
      d.name = place + " " + titleCase(brand) + " " + DEALER_SUFFIXES.get(rng.nextInt(DEALER_SUFFIXES.size()));
      dealers.add(d);
    }
  }

  /**
   * The planted dealers. Closed: our dealer nearest to another of ours (the consolidation a
   * network planner would make). Then the PMAs at the run date (units by nearest open dealer of
   * ours); under-performer = the open dealer with the median PMA population among those with
   * a few units at least, parity = the next smaller one.
   */
  private void plantDealers() {
    List<Dealer> ours = ourDealers();
    double bestGap = Double.MAX_VALUE;
    for (Dealer a : ours) {
      for (Dealer b : ours) {
        double g = dist(a.x, a.y, b.x, b.y);
        if (a != b && g < bestGap) {
          bestGap = g;
          closedDealer = a;
        }
      }
    }
    closedDealer.closeDate = asOf.minusMonths(params.closedMonthsBefore());
    List<Dealer> open = ours.stream().filter(d -> d != closedDealer).toList();
    double[] pmaPop = new double[dealers.size()];
    for (Unit u : units) {
      Dealer best = null;
      for (Dealer d : open) {
        if (best == null || dist(u.centroidX, u.centroidY, d.x, d.y) < dist(u.centroidX, u.centroidY, best.x, best.y)) {
          best = d;
        }
      }
      u.pmaDealer = best.idx;
      pmaPop[best.idx] += u.population;
    }
    // Mid-sized PMAs: big enough to measure (several units), small enough that the planted
    // factor barely moves the region-wide benchmark (so effectiveness lands near 100 x factor).
    int[] pmaCount = new int[dealers.size()];
    units.forEach(u -> pmaCount[u.pmaDealer]++);
    int minUnits = Math.min(4, units.size() / (2 * open.size()));
    List<Dealer> ranked = new ArrayList<>(open.stream().filter(d -> pmaCount[d.idx] >= minUnits).toList());
    if (ranked.size() < 2) {
      ranked = new ArrayList<>(open);
    }
    ranked.sort(Comparator.<Dealer>comparingDouble(d -> -pmaPop[d.idx]).thenComparingInt(d -> d.idx));
    int mid = ranked.size() / 2;
    underperformer = ranked.get(mid);
    parityDealer = ranked.get(mid + 1 < ranked.size() ? mid + 1 : mid - 1);
    for (Unit u : units) {
      if (u.pmaDealer == underperformer.idx) {
        u.ourShareFactor = params.underperformerFactor();
      } else if (u.pmaDealer == parityDealer.idx) {
        u.ourShareFactor = params.parityFactor();
      }
    }
  }

  public List<Dealer> ourDealers() {
    return dealers.stream().filter(d -> d.brand.equals(params.ourBrand())).toList();
  }

  // ---------------------------------------------------------------- market

  /**
   * Brand shares per unit and segment. Ours = our-brand-share x segment strength x the unit's
   * factor (planted, or the compensation of {@link #compensate}), so a segment-adjusted
   * expectation is fair; the rest goes to the competitors by their segment strength and a local
   * popularity.
   */
  private void brandShares(SplittableRandom rng) {
    int nb = catalog.brands.size();
    int ns = Catalog.SEGMENTS.size();
    double[][] strength = new double[nb][ns];
    for (int b = 1; b < nb; b++) {
      for (int s = 0; s < ns; s++) {
        strength[b][s] = 0.4 + 1.2 * rng.nextDouble();
      }
    }
    brandCum = new double[units.size()][ns][nb];
    for (Unit u : units) {
      double[] local = new double[nb];
      for (int b = 1; b < nb; b++) {
        local[b] = Math.exp(0.2 * rng.nextGaussian());
      }
      for (int s = 0; s < ns; s++) {
        double ours = ourShare(u, s);
        double comp = 0;
        for (int b = 1; b < nb; b++) {
          comp += strength[b][s] * local[b];
        }
        double cum = ours;
        brandCum[u.idx][s][0] = cum;
        for (int b = 1; b < nb; b++) {
          cum += (1 - ours) * strength[b][s] * local[b] / comp;
          brandCum[u.idx][s][b] = cum;
        }
        brandCum[u.idx][s][nb - 1] = 1.0;
      }
    }
  }

  double ourShare(Unit u, int segment) {
    double f = Double.isNaN(u.ourShareFactor) ? otherFactor[segment] : u.ourShareFactor;
    return Math.min(0.9, params.ourBrandShare() * Catalog.OUR_STRENGTH[segment] * f);
  }

  /**
   * With tp.generate.keep-benchmark, our share in the units outside the two planted PMAs is
   * scaled per segment so that our expected region-wide share of each segment stays at its base:
   * the benchmark is then unmoved by the planting, the planted dealers' registration
   * effectiveness is 100 x their factor, and the other dealers sit a little above 100.
   */
  private void compensate() {
    int ns = Catalog.SEGMENTS.size();
    otherFactor = new double[ns];
    Arrays.fill(otherFactor, 1.0);
    if (!params.keepBenchmark()) {
      return;
    }
    for (int s = 0; s < ns; s++) {
      double all = 0;
      double planted = 0;
      double other = 0;
      for (Unit u : units) {
        double e = expectedByUnitSegment[u.idx][s];
        all += e;
        if (Double.isNaN(u.ourShareFactor)) {
          other += e;
        } else {
          planted += e * u.ourShareFactor;
        }
      }
      if (other > 0) {
        otherFactor[s] = Math.max(0.05, (all - planted) / other);
      }
    }
  }

  /**
   * Registrations per (unit, month, segment). Expected count = N x weight / total weight, with
   * weight = demand x segment mix x month factor (season, trend, partial run month) x growth of
   * the growing segment x a log-normal cell noise. Integer counts by systematic sampling over the
   * cells in a random order: unbiased, and they sum to exactly tp.generate.registrations.
   */
  private void sampleCells(SplittableRandom rng) {
    int nu = units.size();
    int nm = months.size();
    int ns = Catalog.SEGMENTS.size();
    int growing = Catalog.segmentIndex(params.growingSegment());
    double[] lambda = new double[nu * nm * ns];
    double total = 0;
    double sigma = params.cellNoise();
    for (Unit u : units) {
      for (Month m : months) {
        for (int s = 0; s < ns; s++) {
          double growth = s == growing ? Math.pow(1 + params.segmentGrowth(), m.tYears()) : 1.0;
          double noise = Math.exp(sigma * rng.nextGaussian() - sigma * sigma / 2);
          double v = u.demand * u.mix[s] * m.factor() * growth * noise;
          lambda[(u.idx * nm + m.idx()) * ns + s] = v;
          total += v;
        }
      }
    }
    long n = params.registrations();
    for (int i = 0; i < lambda.length; i++) {
      lambda[i] = lambda[i] * n / total;
    }
    int[] order = new int[lambda.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    long[] count = new long[lambda.length];
    double start = rng.nextDouble();
    double cum = 0;
    long taken = 0;
    int biggest = 0;
    for (int i : order) {
      long before = (long) Math.floor(cum + start);
      cum += lambda[i];
      count[i] = (long) Math.floor(cum + start) - before;
      taken += count[i];
      if (lambda[i] > lambda[biggest]) {
        biggest = i;
      }
    }
    count[biggest] += n - taken; // floating-point rounding of the running sum: at most a unit or two
    expectedByUnitSegment = new double[nu][ns];
    long seq = 0;
    for (int i = 0; i < lambda.length; i++) {
      int s = i % ns;
      int m = (i / ns) % nm;
      int u = i / ns / nm;
      expectedByUnitSegment[u][s] += lambda[i];
      if (count[i] > 0) {
        cells.add(new Cell(u, m, s, count[i], seq));
        seq += count[i];
      }
    }
  }

  /** Expected registrations (all brands) per unit and segment over the whole window. */
  public double[][] expectedByUnitSegment;

  /**
   * Choice among our open dealers for a buyer in unit u: probability proportional to
   * attractiveness x exp(-distance / decay-km). Epoch 0 = before the closure (every dealer of
   * ours), epoch 1 = after it.
   */
  private void choiceModel() {
    List<Dealer> ours = ourDealers();
    choiceIds = new String[2][units.size()][];
    choiceCum = new double[2][units.size()][];
    for (int e = 0; e < 2; e++) {
      int epoch = e;
      List<Dealer> set = ours.stream().filter(d -> epoch == 0 || d != closedDealer).toList();
      for (Unit u : units) {
        double[] w = new double[set.size()];
        double sum = 0;
        for (int i = 0; i < set.size(); i++) {
          Dealer d = set.get(i);
          w[i] = d.attractiveness * Math.exp(-dist(u.centroidX, u.centroidY, d.x, d.y) / params.decayKm());
          sum += w[i];
        }
        String[] ids = new String[set.size()];
        double[] cum = new double[set.size()];
        double acc = 0;
        for (int i = 0; i < set.size(); i++) {
          ids[i] = set.get(i).dealerId;
          acc += sum > 0 ? w[i] / sum : 1.0 / set.size();
          cum[i] = acc;
        }
        cum[set.size() - 1] = 1.0;
        choiceIds[e][u.idx] = ids;
        choiceCum[e][u.idx] = cum;
      }
    }
  }

  // ---------------------------------------------------------------- planted truths

  /**
   * Registration effectiveness the model implies for dealer d: 100 x our expected registrations
   * in its PMA / (benchmark share per segment over the whole region x industry registrations of
   * the segment in the PMA). Not exactly 100 x factor because the planted factor also lowers the
   * region-wide benchmark share.
   */
  public double expectedRegistrationEffectiveness(Dealer d) {
    int ns = Catalog.SEGMENTS.size();
    double[] ourAll = new double[ns];
    double[] industryAll = new double[ns];
    double actual = 0;
    double[] industryPma = new double[ns];
    for (Unit u : units) {
      for (int s = 0; s < ns; s++) {
        double e = expectedByUnitSegment[u.idx][s];
        ourAll[s] += e * ourShare(u, s);
        industryAll[s] += e;
        if (u.pmaDealer == d.idx) {
          actual += e * ourShare(u, s);
          industryPma[s] += e;
        }
      }
    }
    double expected = 0;
    for (int s = 0; s < ns; s++) {
      expected += industryAll[s] == 0 ? 0 : ourAll[s] / industryAll[s] * industryPma[s];
    }
    return expected == 0 ? Double.NaN : 100 * actual / expected;
  }

  public int pmaUnits(Dealer d) {
    return (int) units.stream().filter(u -> u.pmaDealer == d.idx).count();
  }

  private void recordTruths() {
    String our = params.ourBrand();
    double reUnder = round1(expectedRegistrationEffectiveness(underperformer));
    double reParity = round1(expectedRegistrationEffectiveness(parityDealer));
    truths.add(new Truth("underperforming_dealer", underperformer.dealerId, params.underperformerFactor(),
        String.format(Locale.ROOT, "%s's share in every segment is multiplied by %.2f in the %d units of this dealer's PMA "
            + "(units whose nearest open %s dealer at the run date it is, by centroid); the lost share goes to competitors",
            our, params.underperformerFactor(), pmaUnits(underperformer), our)));
    truths.add(new Truth("underperforming_dealer_expected_re", underperformer.dealerId, reUnder,
        "Registration effectiveness the model implies for the under-performing dealer against the region-wide, "
            + "segment-adjusted benchmark over the whole window: 100 x the factor when tp.generate.keep-benchmark is on, "
            + "a little above it otherwise (the factor then also lowers the benchmark share)"));
    truths.add(new Truth("parity_dealer", parityDealer.dealerId, params.parityFactor(),
        String.format(Locale.ROOT, "%s's share in this dealer's PMA (%d units) multiplied by %.2f: at parity with the region",
            our, pmaUnits(parityDealer), params.parityFactor())));
    truths.add(new Truth("parity_dealer_expected_re", parityDealer.dealerId, reParity,
        "Registration effectiveness the model implies for the parity dealer against the region-wide, segment-adjusted benchmark"));
    truths.add(new Truth("pma_unit_count", underperformer.dealerId, pmaUnits(underperformer),
        "Units (tracts) in the under-performing dealer's PMA at the run date"));
    truths.add(new Truth("pma_unit_count", parityDealer.dealerId, pmaUnits(parityDealer),
        "Units (tracts) in the parity dealer's PMA at the run date"));
    double otherMean = Arrays.stream(otherFactor).average().orElse(1.0);
    truths.add(new Truth("other_pma_share_factor", our, Math.round(otherMean * 1000) / 1000.0,
        "Mean over segments of the factor on " + our + "'s share in units outside the two planted PMAs "
            + (params.keepBenchmark() ? "(keeps the region-wide benchmark share at its base)" : "(1: no compensation)")));
    truths.add(new Truth("growing_segment", params.growingSegment(), params.segmentGrowth(),
        String.format(Locale.ROOT, "Industry registrations of %s grow %.0f%% per year on top of the market trend (%.1f%%/year); "
            + "other segments follow the trend only", params.growingSegment(), 100 * params.segmentGrowth(), 100 * params.marketTrend())));
    truths.add(new Truth("seasonal_peak_month", "month_of_year", params.seasonalPeakMonth(),
        String.format(Locale.ROOT, "Registrations follow 1 + %.2f x cos(2 pi (month - %d) / 12): peak in month %d, trough six months later",
            params.seasonalAmplitude(), params.seasonalPeakMonth(), params.seasonalPeakMonth())));
    truths.add(new Truth("closed_dealer", closedDealer.dealerId, params.closedMonthsBefore(),
        String.format(Locale.ROOT, "%s dealer closed on %s (%d months before the run date); it sells nothing after that, "
            + "its customers choose among the remaining dealers", our, closedDealer.closeDate, params.closedMonthsBefore())));
    truths.add(new Truth("distance_decay_km", our, params.decayKm(),
        "Buyers of " + our + " choose a dealer with probability proportional to attractiveness x exp(-distance_km / this)"));
    truths.add(new Truth("registrations_total", "all", params.registrations(),
        "Registrations generated over " + params.months() + " months (exact total)"));
  }

  // ---------------------------------------------------------------- helpers

  /** A transformation from the local km plane to longitude/latitude. */
  public AffineTransformation toLonLat() {
    return new AffineTransformation().scale(1 / kx, 1 / ky).translate(lon0, lat0);
  }

  public double lon(double x) {
    return lon0 + x / kx;
  }

  public double lat(double y) {
    return lat0 + y / ky;
  }

  int nearestUnit(double x, double y) {
    int best = 0;
    double bd = Double.MAX_VALUE;
    for (Unit u : units) {
      double d = dist(x, y, u.seedX, u.seedY);
      if (d < bd) {
        bd = d;
        best = u.idx;
      }
    }
    return best;
  }

  static double dist(double x1, double y1, double x2, double y2) {
    return Math.hypot(x1 - x2, y1 - y2);
  }

  private static int pick(double[] weights, double r) {
    double acc = 0;
    for (int i = 0; i < weights.length; i++) {
      acc += weights[i];
      if (r < acc) {
        return i;
      }
    }
    return weights.length - 1;
  }

  private static int pickCum(double[] cum, double r) {
    int i = Arrays.binarySearch(cum, r);
    return Math.min(cum.length - 1, i >= 0 ? i + 1 : -i - 1);
  }

  private static <T> void shuffle(List<T> list, SplittableRandom rng) {
    for (int i = list.size() - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      T t = list.get(i);
      list.set(i, list.get(j));
      list.set(j, t);
    }
  }

  private static double clamp(double v, double lo, double hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String titleCase(String s) {
    return s.isEmpty() ? s : s.charAt(0) + s.substring(1).toLowerCase(Locale.ROOT);
  }
}
