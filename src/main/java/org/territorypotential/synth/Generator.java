package org.territorypotential.synth;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.cos;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.hex;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.month;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sin;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sqrt;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.functions.year;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.locationtech.jts.geom.util.AffineTransformation;
import org.locationtech.jts.io.WKTWriter;
import org.territorypotential.lake.Contract;
import org.territorypotential.lake.Contracts;
import org.territorypotential.ops.RunContext;

/**
 * The synthetic inputs as Spark frames, one method per input, each with exactly its contract's
 * columns (ingest/Contracts.java). The small inputs come from the driver-side {@link World}; the
 * registrations (and the sales derived from them) are produced by Spark from the world's
 * per-cell counts, one row per registration id, with per-row randomness from
 * {@code xxhash64(id, seed, salt)}: the same seed and configuration give the same rows on any
 * cluster and partitioning. Nothing here writes; {@link GenerateJob} does.
 */
public final class Generator {
  private static final long MASK53 = (1L << 53) - 1;
  private static final double TWO53 = (double) (1L << 53);
  // Salts: one independent uniform per random decision of a registration.
  private static final int S_DAY = 1;
  private static final int S_BRAND = 2;
  private static final int S_MODEL = 3;
  private static final int S_ANGLE = 4;
  private static final int S_RADIUS = 5;
  private static final int S_FLEET = 6;
  private static final int S_UNIT_ID = 7;
  private static final int S_FUEL = 8;
  private static final int S_MODEL_YEAR = 9;
  private static final int S_DEALER = 10;
  private static final int S_VIN = 11;
  private static final int S_FIRST = 12;
  private static final int S_LAST = 13;
  private static final int S_PRICE = 14;
  private static final int S_SALE_LAG = 15;

  private static final List<String> FIRST_NAMES = List.of("Avery", "Blake", "Casey", "Dana", "Elliot", "Frankie",
      "Gray", "Harper", "Indy", "Jordan", "Kai", "Logan", "Morgan", "Noel", "Oakley", "Parker", "Quinn", "Reese",
      "Sage", "Taylor", "Umi", "Val", "Wren", "Xan", "Yael", "Zion", "Alex", "Bailey", "Cameron", "Drew");
  private static final List<String> LAST_NAMES = List.of("Ashdown", "Birchwell", "Coldbrook", "Dunleavy", "Eastholm",
      "Farrow", "Glenmore", "Hartwell", "Ingram", "Jessop", "Kingsley", "Lockhart", "Merriweather", "Northcott",
      "Oakhurst", "Pembrook", "Quill", "Redfern", "Stowe", "Thornbury", "Underhill", "Vance", "Whitlock", "Yardley",
      "Zeller", "Ambrose", "Bellamy", "Calloway", "Devereux", "Ellsworth");

  private final SparkSession spark;
  private final World world;
  private final SynthParams params;

  private Generator(SparkSession spark, World world) {
    this.spark = spark;
    this.world = world;
    this.params = world.params;
  }

  public static Generator create(SparkSession spark, SynthParams params, LocalDate asOf) {
    return new Generator(spark, World.build(params, asOf));
  }

  public World world() {
    return world;
  }

  // ---------------------------------------------------------------- small inputs (driver-built)

  /** Tracts (level tract, parent = county) and the counties themselves (union of their tracts); geometry as WKT. */
  public Dataset<Row> geoUnits() {
    AffineTransformation t = world.toLonLat();
    WKTWriter wkt = new WKTWriter();
    List<Row> rows = new ArrayList<>();
    for (World.County k : world.counties) {
      rows.add(RowFactory.create(k.geoUnitId, "county", k.name, null, wkt.write(t.transform(k.geometryKm))));
    }
    for (World.Unit u : world.units) {
      rows.add(RowFactory.create(u.geoUnitId, "tract", u.name, world.counties.get(u.county).geoUnitId,
          wkt.write(t.transform(u.cellKm))));
    }
    return small(rows, Contracts.GEO_UNITS, "geo_unit_id string, level string, name string, parent_id string, geometry string");
  }

  /** Per tract and calendar year of the window: population and income grow, the rest drifts a little. */
  public Dataset<Row> demographics() {
    List<Row> rows = new ArrayList<>();
    int firstYear = world.windowStart().getYear();
    for (World.Unit u : world.units) {
      for (int y = firstYear; y <= world.asOf.getYear(); y++) {
        int k = y - firstYear;
        double grow = Math.pow(1 + u.popGrowth, k);
        rows.add(RowFactory.create(u.geoUnitId, y, (double) Math.round(u.population * grow),
            (double) Math.round(u.households * grow), Math.round(u.income * Math.pow(1.03, k) / 100.0) * 100.0,
            Math.round((u.commuteMinutes + 0.2 * k) * 10) / 10.0, Math.round((u.workFromHomePct + 0.3 * k) * 10) / 10.0));
      }
    }
    return small(rows, Contracts.DEMOGRAPHICS, "geo_unit_id string, year int, population double, households double, "
        + "median_household_income double, mean_commute_minutes double, work_from_home_pct double");
  }

  public Dataset<Row> dealers() {
    List<Row> rows = new ArrayList<>();
    for (World.Dealer d : world.dealers) {
      rows.add(RowFactory.create(d.dealerId, d.name, d.brand, round6(world.lon(d.x)), round6(world.lat(d.y)),
          Date.valueOf(d.openDate), d.closeDate == null ? null : Date.valueOf(d.closeDate)));
    }
    return small(rows, Contracts.DEALERS, "dealer_id string, name string, brand string, longitude double, "
        + "latitude double, open_date date, close_date date");
  }

  /** Every model of every brand and its segment. */
  public Dataset<Row> segments() {
    List<Row> rows = new ArrayList<>();
    for (List<List<Catalog.Model>> perSegment : world.catalog.models.values()) {
      for (List<Catalog.Model> models : perSegment) {
        for (Catalog.Model m : models) {
          rows.add(RowFactory.create(m.brand(), m.name(), Catalog.SEGMENTS.get(m.segment())));
        }
      }
    }
    return small(rows, Contracts.SEGMENTS, "make string, model string, segment string");
  }

  /** Territory = county; districts of neighbouring counties; regions west to east; owners are roles. */
  public Dataset<Row> territories() {
    List<Row> rows = new ArrayList<>();
    for (World.Unit u : world.units) {
      World.County k = world.counties.get(u.county);
      rows.add(RowFactory.create(u.geoUnitId, k.territoryId, k.district, k.region, k.owner));
    }
    return small(rows, Contracts.TERRITORIES, "geo_unit_id string, territory_id string, district string, region string, owner string");
  }

  /** The planted facts, with the run's id and date, for ops.planted_truths. */
  public Dataset<Row> plantedTruths(RunContext run) {
    List<Row> rows = new ArrayList<>();
    for (World.Truth t : world.truths) {
      rows.add(RowFactory.create(t.truth(), t.subjectId(), t.value(), t.description(), run.runId(), Date.valueOf(run.asOf())));
    }
    return spark.createDataFrame(rows, StructType.fromDDL(
        "truth string, subject_id string, value double, description string, run_id string, as_of date")).coalesce(1);
  }

  private Dataset<Row> small(List<Row> rows, Contract c, String ddl) {
    Dataset<Row> df = spark.createDataFrame(rows, StructType.fromDDL(ddl)).coalesce(1);
    if (!List.of(df.columns()).equals(c.names())) {
      throw new IllegalStateException(c.input() + ": generated columns " + List.of(df.columns()) + " != contract " + c.names());
    }
    return df;
  }

  // ---------------------------------------------------------------- registrations and sales (Spark-built)

  /** Registrations, exactly tp.generate.registrations rows, in contract form. */
  public Dataset<Row> registrations() {
    Map<String, Column> c = new LinkedHashMap<>();
    c.put("registration_id", col("registration_id"));
    c.put("registration_date", col("registration_date"));
    c.put("make", col("make"));
    c.put("model", col("model"));
    c.put("model_year", col("model_year"));
    c.put("segment", col("segment"));
    c.put("fuel_type", col("fuel_type"));
    c.put("sale_type", col("sale_type"));
    c.put("longitude", col("longitude"));
    c.put("latitude", col("latitude"));
    c.put("geo_unit_id", when(u(S_UNIT_ID).lt(params.geoUnitIdShare()), col("geo_unit_id")));
    c.put("zip", col("zip"));
    c.put("county", col("county_name"));
    c.put("selling_dealer_id", col("selling_dealer_id"));
    c.put("vin_prefix", col("vin_prefix"));
    return contractSelect(registrationDetails(), Contracts.REGISTRATIONS, c);
  }

  /** Our dealers' DMS export: one sale per retail registration of our brand, by the dealer that sold it. */
  public Dataset<Row> sales() {
    Map<String, Column> c = new LinkedHashMap<>();
    c.put("sale_id", concat(lit("S"), lpad(col("seq").plus(1).cast("string"), 10, "0")));
    c.put("dealer_id", col("selling_dealer_id"));
    c.put("sale_date", date_sub(col("registration_date"), floor(u(S_SALE_LAG).multiply(5)).cast("int")));
    c.put("make", col("make"));
    c.put("model", col("model"));
    c.put("segment", col("segment"));
    c.put("price", round(col("list_price").multiply(lit(0.93).plus(u(S_PRICE).multiply(0.14))).divide(10), 0).multiply(10));
    c.put("customer_longitude", col("longitude"));
    c.put("customer_latitude", col("latitude"));
    c.put("customer_zip", col("zip"));
    c.put("customer_name", concat(pickFrom(FIRST_NAMES, u(S_FIRST)), lit(" "), pickFrom(LAST_NAMES, u(S_LAST))));
    Dataset<Row> ours = registrationDetails().where(col("selling_dealer_id").isNotNull());
    return contractSelect(ours, Contracts.SALES, c);
  }

  /**
   * One row per registration with every attribute the two outputs need. Cells are spread over
   * ceil(N / rows-per-partition) partitions by a hash of their key and sorted, so each output
   * file's content depends only on the seed and configuration; every join is a broadcast join,
   * which keeps the row order.
   */
  Dataset<Row> registrationDetails() {
    long n = params.registrations();
    int partitions = (int) Math.max(1, Math.min(100_000, (n + params.rowsPerPartition() - 1) / params.rowsPerPartition()));
    Column seq = col("seq");
    Column brandIdx = size(filter(col("brand_cum"), x -> x.leq(u(S_BRAND))));
    Column modelIdx = floor(u(S_MODEL).multiply(size(col("models")))).cast("int").plus(1);
    Column angle = u(S_ANGLE).multiply(2 * Math.PI);
    Column rr = col("radius_km").multiply(sqrt(u(S_RADIUS)));
    Column x = col("seed_x").plus(rr.multiply(cos(angle)));
    Column y = col("seed_y").plus(rr.multiply(sin(angle)));
    Column bev = lit(0.04).plus(col("t_years").multiply(0.025)).multiply(pickFrom(Catalog.BEV_FACTOR, col("seg_idx")));
    Column fuelU = u(S_FUEL);
    Column dealerIdx = size(filter(col("dealer_cum"), v -> v.leq(u(S_DEALER)))).plus(1);
    Date closed = Date.valueOf(world.closedDealer.closeDate);

    return cellsFrame()
        .repartition(partitions, col("first_seq"))
        .sortWithinPartitions("first_seq")
        .withColumn("seq", explode(sequence(col("first_seq"), col("first_seq").plus(col("n")).minus(1))))
        .join(broadcast(unitsFrame()), new String[] {"unit_idx"}, "inner")
        .join(broadcast(monthsFrame()), new String[] {"month_idx"}, "inner")
        .join(broadcast(sharesFrame()), new String[] {"unit_idx", "seg_idx"}, "inner")
        .withColumn("make", element_at(pickArray(world.catalog.brands), brandIdx.plus(1)))
        .join(broadcast(modelsFrame()), new String[] {"make", "seg_idx"}, "inner")
        .withColumn("registration_date", date_add(col("month_start"), floor(u(S_DAY).multiply(col("days"))).cast("int")))
        .withColumn("epoch", when(col("registration_date").lt(lit(closed)), 0).otherwise(1))
        .join(broadcast(choiceFrame()), new String[] {"unit_idx", "epoch"}, "inner")
        .withColumn("sale_type", when(u(S_FLEET).lt(params.fleetShare()), "fleet").otherwise("retail"))
        .select(
            seq,
            concat(lit("R"), lpad(seq.plus(1).cast("string"), 10, "0")).as("registration_id"),
            col("registration_date"),
            col("make"),
            element_at(col("models"), modelIdx).as("model"),
            element_at(col("prices"), modelIdx).as("list_price"),
            year(col("registration_date")).plus(
                when(month(col("registration_date")).geq(7).and(u(S_MODEL_YEAR).lt(0.6)), 1)
                    .when(u(S_MODEL_YEAR).gt(0.97), -1).otherwise(0)).cast("int").as("model_year"),
            element_at(pickArray(Catalog.SEGMENTS), col("seg_idx").plus(1)).as("segment"),
            when(fuelU.lt(bev), "BEV").when(fuelU.lt(bev.plus(0.035)), "PHEV").when(fuelU.lt(bev.plus(0.115)), "HEV")
                .otherwise("ICE").as("fuel_type"),
            col("sale_type"),
            round(lit(world.lon0).plus(x.divide(world.kx)), 6).as("longitude"),
            round(lit(world.lat0).plus(y.divide(world.ky)), 6).as("latitude"),
            col("geo_unit_id"),
            col("zip"),
            col("county_name"),
            when(col("make").equalTo(params.ourBrand()).and(col("sale_type").equalTo("retail")),
                element_at(col("dealer_ids"), dealerIdx)).as("selling_dealer_id"),
            substring(lpad(hex(xxhash64(seq, lit(params.seed()), lit(S_VIN))), 16, "0"), 1, 10).as("vin_prefix"));
  }

  /** A uniform in [0, 1) from the registration's id, the seed and a salt: the same on every run and partitioning. */
  private Column u(int salt) {
    return xxhash64(col("seq"), lit(params.seed()), lit(salt)).bitwiseAND(lit(MASK53)).cast("double").divide(lit(TWO53));
  }

  /**
   * Cells per partition of the cells frame. Each task carries its partition's rows: as one local
   * relation the demo's cells (400 units x 36 months x 6 segments at most) made a 1,571 KiB task,
   * which Spark warned about twice (registrations and sales) on the README's first command.
   */
  static final int CELLS_PER_PARTITION = 5_000;

  private Dataset<Row> cellsFrame() {
    List<Row> rows = new ArrayList<>(world.cells.size());
    for (World.Cell c : world.cells) {
      rows.add(RowFactory.create(c.unit(), c.month(), c.segment(), c.count(), c.firstSeq()));
    }
    int slices = Math.max(1, (rows.size() + CELLS_PER_PARTITION - 1) / CELLS_PER_PARTITION);
    return spark.createDataFrame(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(rows, slices), StructType.fromDDL("unit_idx int, month_idx int, seg_idx int, n bigint, first_seq bigint"));
  }

  private Dataset<Row> unitsFrame() {
    List<Row> rows = new ArrayList<>();
    for (World.Unit u : world.units) {
      rows.add(RowFactory.create(u.idx, u.geoUnitId, u.zip, world.counties.get(u.county).name, u.seedX, u.seedY, u.radiusKm));
    }
    return spark.createDataFrame(rows, StructType.fromDDL(
        "unit_idx int, geo_unit_id string, zip string, county_name string, seed_x double, seed_y double, radius_km double"));
  }

  private Dataset<Row> monthsFrame() {
    List<Row> rows = new ArrayList<>();
    for (World.Month m : world.months) {
      rows.add(RowFactory.create(m.idx(), Date.valueOf(m.start()), m.days(), m.tYears()));
    }
    return spark.createDataFrame(rows, StructType.fromDDL("month_idx int, month_start date, days int, t_years double"));
  }

  private Dataset<Row> sharesFrame() {
    List<Row> rows = new ArrayList<>();
    for (World.Unit u : world.units) {
      for (int s = 0; s < Catalog.SEGMENTS.size(); s++) {
        rows.add(RowFactory.create(u.idx, s, boxed(world.brandCum[u.idx][s])));
      }
    }
    return spark.createDataFrame(rows, new StructType().add("unit_idx", DataTypes.IntegerType)
        .add("seg_idx", DataTypes.IntegerType).add("brand_cum", DataTypes.createArrayType(DataTypes.DoubleType)));
  }

  private Dataset<Row> modelsFrame() {
    List<Row> rows = new ArrayList<>();
    world.catalog.models.forEach((brand, perSegment) -> {
      for (int s = 0; s < perSegment.size(); s++) {
        List<Catalog.Model> ms = perSegment.get(s);
        rows.add(RowFactory.create(brand, s, ms.stream().map(Catalog.Model::name).toList().toArray(new String[0]),
            ms.stream().map(Catalog.Model::price).toList().toArray(new Double[0])));
      }
    });
    return spark.createDataFrame(rows, new StructType().add("make", DataTypes.StringType).add("seg_idx", DataTypes.IntegerType)
        .add("models", DataTypes.createArrayType(DataTypes.StringType))
        .add("prices", DataTypes.createArrayType(DataTypes.DoubleType)));
  }

  private Dataset<Row> choiceFrame() {
    List<Row> rows = new ArrayList<>();
    for (int e = 0; e < 2; e++) {
      for (World.Unit u : world.units) {
        rows.add(RowFactory.create(u.idx, e, world.choiceIds[e][u.idx], boxed(world.choiceCum[e][u.idx])));
      }
    }
    return spark.createDataFrame(rows, new StructType().add("unit_idx", DataTypes.IntegerType).add("epoch", DataTypes.IntegerType)
        .add("dealer_ids", DataTypes.createArrayType(DataTypes.StringType))
        .add("dealer_cum", DataTypes.createArrayType(DataTypes.DoubleType)));
  }

  private static Dataset<Row> contractSelect(Dataset<Row> df, Contract c, Map<String, Column> columns) {
    if (!new ArrayList<>(columns.keySet()).equals(c.names())) {
      throw new IllegalStateException(c.input() + ": generated columns " + columns.keySet() + " != contract " + c.names());
    }
    List<Column> cols = new ArrayList<>();
    columns.forEach((name, expr) -> cols.add(expr.as(name)));
    return df.select(cols.toArray(new Column[0]));
  }

  private static Column pickArray(List<String> values) {
    return functionsArray(values.stream().map(v -> lit(v)).toArray(Column[]::new));
  }

  private static Column pickFrom(List<String> values, Column uniform) {
    return element_at(pickArray(values), floor(uniform.multiply(values.size())).cast("int").plus(1));
  }

  private static Column pickFrom(double[] values, Column zeroBasedIndex) {
    Column[] lits = new Column[values.length];
    for (int i = 0; i < values.length; i++) {
      lits[i] = lit(values[i]);
    }
    return element_at(functionsArray(lits), zeroBasedIndex.plus(1));
  }

  private static Column functionsArray(Column[] cols) {
    return org.apache.spark.sql.functions.array(cols);
  }

  private static Double[] boxed(double[] a) {
    Double[] out = new Double[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }

  private static double round6(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}
