package org.territorypotential.ingest;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.territorypotential.TestSpark;
import org.territorypotential.WaEv;
import org.territorypotential.config.AppConfig;
import org.territorypotential.lake.Lake;
import org.territorypotential.lake.Table;
import org.territorypotential.ops.RunContext;

/**
 * The Washington adapter: its mapping rules on tiny fixture frames, its failures on broken
 * files, and one real ingest of ../shared/data/wa-ev (skipped, saying why, when that is absent).
 */
class WaEvAdapterTest {
  private static final LocalDate AS_OF = LocalDate.parse("2023-06-30");
  private static final List<String> BRANDS = List.of("Nissan", "Chevrolet", "Ford", "Lincoln", "Buick", "GMC",
      "Mercedes-Benz", "Land Rover", "Mini", "Tesla");

  // ------------------------------------------------------------ fixture tests (no real data)

  /** A raw frame as Sources.readDelimited gives it: string columns plus the lineage columns. */
  private static Dataset<Row> raw(List<String> columns, String[]... rows) {
    StructType schema = new StructType();
    for (String c : columns) {
      schema = schema.add(c, DataTypes.StringType);
    }
    schema = schema.add(Validation.SOURCE_FILE, DataTypes.StringType).add(Validation.SOURCE_ROW, DataTypes.LongType)
        .add(Validation.RAW_RECORD, DataTypes.StringType).add(Validation.ADAPTER_REASON, DataTypes.StringType);
    List<Row> out = new ArrayList<>();
    long i = 0;
    for (String[] r : rows) {
      List<Object> v = new ArrayList<>(Arrays.asList((Object[]) r));
      v.add("fixture.csv");
      v.add(i++);
      v.add(String.join("|", r));
      v.add(null);
      out.add(RowFactory.create(v.toArray()));
    }
    return TestSpark.session().createDataFrame(out, schema);
  }

  @Test
  void brandIsTheConfiguredBrandThatAppearsEarliestInTheNameAsAWholeWord() {
    Dataset<Row> names = raw(List.of("name"),
        new String[] {"Haselwood Chevrolet Buick GMC"},
        new String[] {"Ford Charge - Korum Lincoln"},
        new String[] {"Bill Korum's Puyallup NISSAN"},
        new String[] {"Mercedes-Benz of Seattle"},
        new String[] {"Land Rover Bellevue"},
        new String[] {"Minivan Depot"},
        new String[] {"Westlie Motors"},
        new String[] {null});
    List<String> got = names.select(WaEvAdapter.brandFromName(col("name"), BRANDS)).collectAsList().stream()
        .map(r -> r.getString(0)).toList();
    assertEquals(Arrays.asList("CHEVROLET", "FORD", "NISSAN", "MERCEDES-BENZ", "LAND ROVER", null, null, null), got);
  }

  @Test
  void brandPatternPrefersTheLongestBrandAtTheSamePosition() {
    Matcher m = Pattern.compile(WaEvAdapter.brandPattern(List.of("Land", "Land Rover"))).matcher("land rover of x");
    assertTrue(m.find());
    assertEquals("land rover", m.group(1));
  }

  @Test
  void wktPointsGiveCoordinatesAndABadValueGivesAReason() {
    Dataset<Row> in = raw(List.of("loc"),
        new String[] {"POINT (-122.64681 47.73689)"},
        new String[] {"  point(-120.5 46)  "},
        new String[] {""},
        new String[] {null},
        new String[] {"POINT (-122.6 )"},
        new String[] {"LINESTRING (0 0, 1 1)"});
    List<Row> got = in.select(WaEvAdapter.pointLongitude(col("loc")), WaEvAdapter.pointLatitude(col("loc")),
        WaEvAdapter.badWktReason(col("loc"), "Vehicle Location")).collectAsList();
    assertEquals(RowFactory.create("-122.64681", "47.73689", null), got.get(0));
    assertEquals(RowFactory.create("-120.5", "46", null), got.get(1));
    assertEquals(RowFactory.create(null, null, null), got.get(2));
    assertEquals(RowFactory.create(null, null, null), got.get(3));
    assertEquals(RowFactory.create(null, null, "bad WKT in Vehicle Location 'POINT (-122.6 )'"), got.get(4));
    assertEquals(RowFactory.create(null, null, "bad WKT in Vehicle Location 'LINESTRING (0 0, 1 1)'"), got.get(5));
  }

  @Test
  void monthEndTextBecomesIsoAndAnUnparsableOneIsKeptAsItWas() {
    Dataset<Row> in = raw(List.of("d"),
        new String[] {"October 31 2017"},
        new String[] {"February 28 2017"},
        new String[] {" April  30 2023 "},
        new String[] {"Octember 31 2017"},
        new String[] {"2017-10-31"},
        new String[] {null});
    List<String> got = in.select(WaEvAdapter.isoMonthEnd(col("d"))).collectAsList().stream().map(r -> r.getString(0)).toList();
    assertEquals(Arrays.asList("2017-10-31", "2017-02-28", "2023-04-30", "Octember 31 2017", "2017-10-31", null), got);
  }

  @Test
  void registrationsTakeDateFromModelYearCappedAtTheSnapshotAndPadShortZips() {
    List<String> cols = List.copyOf(WaEvAdapter.REGISTRATION_HEADERS.values());
    // registration_id, make, model, model_year, ev_type, vehicle_location, zip, geo_unit_id, county, vin_prefix
    Dataset<Row> in = raw(cols,
        new String[] {"1", "NISSAN", "LEAF", "2018", "Battery Electric Vehicle (BEV)", "POINT (-122.5 47.5)", "98101", "53033000100", "King", "1N4AZ0CP1D"},
        new String[] {"2", "KIA", "NIRO", "2024", "Plug-in Hybrid Electric Vehicle (PHEV)", "", "6443", "", "", "KNDCC3LD0K"},
        new String[] {"3", "TESLA", "MODEL 3", "20x8", "Battery Electric Vehicle (BEV)", "POINT (oops)", "98101", "", "King", "5YJ3E1EA5K"});
    List<Row> got = WaEvAdapter.toRegistrations(in, LocalDate.parse("2023-06-30"))
        .select("registration_date", "fuel_type", "longitude", "latitude", "zip", Validation.ADAPTER_REASON)
        .orderBy(col(Validation.SOURCE_ROW)).collectAsList();
    assertEquals(RowFactory.create("2018-07-01", "BEV", "-122.5", "47.5", "98101", null), got.get(0));
    assertEquals(RowFactory.create("2023-06-30", "PHEV", null, null, "06443", null), got.get(1));
    // a model year that is not 4 digits passes through as text, so validation says "unparsable Model Year '20x8'"
    assertEquals(RowFactory.create("20x8", "BEV", null, null, "98101", "bad WKT in Vehicle Location 'POINT (oops)'"), got.get(2));
  }

  @Test
  void nonDealerStationsAreExcludedAndDealersWithoutABrandQuarantined() {
    List<String> cols = List.copyOf(WaEvAdapter.STATION_HEADERS.values());
    // dealer_id, name, facility_type, longitude, latitude
    Dataset<Row> in = raw(cols,
        new String[] {"1", "Bellingham Nissan", "CAR_DEALER", "-122.45", "48.75"},
        new String[] {"2", "Westlie Motors", "CAR_DEALER", "-122.37", "45.57"},
        new String[] {"3", "City Hall", "MUNI_GOV", "-122.8", "47.0"},
        new String[] {"4", "Ford Garage Hotel", null, "-122.8", "47.0"});
    List<Row> got = WaEvAdapter.toDealers(in, BRANDS)
        .select("dealer_id", "brand", Validation.ADAPTER_REASON, Validation.EXCLUDED_REASON)
        .orderBy("dealer_id").collectAsList();
    assertEquals(RowFactory.create("1", "NISSAN", null, null), got.get(0));
    assertEquals(RowFactory.create("2", null, "no known brand in station name", null), got.get(1));
    assertEquals(RowFactory.create("3", null, null, "not a car dealer (Facility Type MUNI_GOV)"), got.get(2));
    assertEquals(RowFactory.create("4", "FORD", null, "not a car dealer (Facility Type empty)"), got.get(3));
  }

  @Test
  void countyDemographicsKeepWashingtonAsFiveDigitFips() {
    List<String> cols = List.copyOf(WaEvAdapter.COUNTY_DEMOGRAPHICS_HEADERS.values());
    String[] wa = {"53033", "2188649", "83571", "27.5", "6.1", "50000", "9.9", "60", "12", "1200000", "4.5"};
    String[] al = {"1001", "55036", "55317", "25.8", "2.5", "27824", "13.7", "86", "0.1", "24112", "5.2"};
    String[] bad = {"53O33", "1", "1", "1", "1", "1", "1", "1", "1", "1", "1"};
    Dataset<Row> out = WaEvAdapter.toCountyDemographics(raw(cols, wa, al, bad));
    List<Row> got = out.select("geo_unit_id", "year", "population", "households", "employed",
        Validation.ADAPTER_REASON, Validation.EXCLUDED_REASON).orderBy(col(Validation.SOURCE_ROW)).collectAsList();
    assertEquals(RowFactory.create("53033", "2017", "2188649", null, "1200000", null, null), got.get(0));
    assertEquals(RowFactory.create("01001", "2017", "55036", null, "24112", null, "outside Washington"), got.get(1));
    assertEquals(RowFactory.create(null, "2017", "1", null, "1", "bad CountyId '53O33'", null), got.get(2));
    // Same open-set extras as the ZIP part, so the two union by name.
    List<String> zipCols = List.copyOf(WaEvAdapter.ZIP_DEMOGRAPHICS_HEADERS.values());
    Dataset<Row> zip = WaEvAdapter.toZipDemographics(raw(zipCols, new String[] {"98038", "12936", "", "36.5", "24.1", "8.0", "16.0"}));
    assertEquals(List.of(out.columns()), List.of(zip.columns()));
    Row z = zip.first();
    assertEquals("2024", z.getAs("year"));
    assertEquals("12936", z.getAs("households"));
    assertNull(z.getAs("population"));
  }

  @Test
  void aMissingFolderOrAWrongDelimiterFailsNamingTheFile() throws IOException {
    SparkSession spark = TestSpark.session();
    File empty = TestSpark.dir("waev-empty");
    AppConfig missing = TestSpark.config("waev_missing", Map.of("tp.ingest.source", "wa-ev", "tp.wa-ev.dir", empty.getAbsolutePath()));
    IngestError e1 = assertThrows(IngestError.class, () -> new WaEvAdapter().read(spark, missing));
    assertTrue(e1.getMessage().contains("file not found") && e1.getMessage().contains(WaEvAdapter.EV_POPULATION), e1.getMessage());

    File commas = TestSpark.dir("waev-commas");
    try (OutputStream out = new GZIPOutputStream(new FileOutputStream(new File(commas, WaEvAdapter.EV_POPULATION)))) {
      out.write(("VIN (1-10),County,City,State,Postal Code,Model Year,Make,Model,Electric Vehicle Type,DOL Vehicle ID\n"
          + "5YJXCAE26J,Yakima,Yakima,WA,98908,2018,TESLA,MODEL X,Battery Electric Vehicle (BEV),141151601\n")
          .getBytes(StandardCharsets.UTF_8));
    }
    AppConfig wrong = TestSpark.config("waev_commas", Map.of("tp.ingest.source", "wa-ev", "tp.wa-ev.dir", commas.getAbsolutePath()));
    IngestError e2 = assertThrows(IngestError.class, () -> new WaEvAdapter().read(spark, wrong));
    assertTrue(e2.getMessage().contains(WaEvAdapter.EV_POPULATION) && e2.getMessage().contains("looks delimited by ','"),
        e2.getMessage());
  }

  @Test
  void aPrettyPrintedFeatureCollectionGivesOneUnitPerFeature() throws IOException {
    File dir = TestSpark.dir("waev-geojson");
    File f = new File(dir, "counties.geojson");
    java.nio.file.Files.writeString(f.toPath(), String.join("\n",
        "{",
        "  \"type\": \"FeatureCollection\",",
        "  \"features\": [",
        "    {\"type\": \"Feature\",",
        "     \"properties\": {\"STATE\": \"53\", \"COUNTY\": \"033\", \"NAME\": \"King\"},",
        "     \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[-122, 47], [-121, 47], [-121, 48], [-122, 47]]]}},",
        "    {\"type\": \"Feature\",",
        "     \"properties\": {\"STATE\": \"53\", \"COUNTY\": \"061\", \"NAME\": \"Snohomish\"},",
        "     \"geometry\": {\"type\": \"Polygon\", \"coordinates\": [[[-122, 48], [-121, 48], [-121, 49], [-122, 48]]]}}",
        "  ]",
        "}"), StandardCharsets.UTF_8);
    Dataset<Row> units = WaEvAdapter.readCounties(TestSpark.session(), f.getAbsolutePath());
    List<Row> got = units.selectExpr("geo_unit_id", "level", "name", "parent_id", "_source_row",
        "ST_AsText(ST_GeomFromWKB(geometry))").orderBy("_source_row").collectAsList();
    assertEquals(RowFactory.create("53033", "county", "King", "53", 0L, "POLYGON ((-122 47, -121 47, -121 48, -122 47))"), got.get(0));
    assertEquals(RowFactory.create("53061", "county", "Snohomish", "53", 1L, "POLYGON ((-122 48, -121 48, -121 49, -122 48))"), got.get(1));
  }

  @Test
  void theWaEvProfileLoadsAndSelectsThisAdapter() {
    AppConfig cfg = AppConfig.load(new File("conf/wa-ev.conf"), Map.of());
    assertEquals("wa-ev", cfg.getString("tp.ingest.source"));
    assertEquals("lakehouse-wa", cfg.getString("tp.lakehouse"));
    assertEquals("", cfg.getString("tp.ingest.inputs.segments.path"));
    assertEquals("csv", cfg.getString("tp.ingest.inputs.segments.format"));
    assertEquals(LocalDate.parse("2023-06-30"), cfg.date("tp.wa-ev.snapshot-date"));
    assertTrue(IngestJob.adapter(cfg) instanceof WaEvAdapter);
  }

  // ------------------------------------------------------------ the real data (one ingest)

  private static AppConfig realCfg;

  /** The real ingest, run once per JVM for all real-data tests (WaEv); skips them when the data is absent. */
  private static synchronized IngestJob.Result real() {
    WaEv.Ingested in = WaEv.ingested();
    realCfg = in.cfg();
    return in.result();
  }

  private static Lake lake() {
    return new Lake(TestSpark.session(), realCfg);
  }

  @Test
  void realIngestAccountsForEveryRow() {
    IngestJob.Result r = real();
    assertEquals(List.of("registrations", "dealers", "demographics", "geo_units", "county_history", "segments"),
        r.inputs().stream().map(IngestJob.InputCounts::input).toList());
    for (IngestJob.InputCounts c : r.inputs()) {
      assertEquals(c.read(), c.accepted() + c.quarantined() + c.excluded(), c.input());
      // every column of the real files is either read or listed as left on purpose
      assertEquals(List.of(), c.ignoredColumns(), c.input());
    }
  }

  @Test
  void realRegistrations() {
    IngestJob.InputCounts c = real().input("registrations");
    assertEquals(130_443, c.read());
    assertEquals(0, c.excluded());
    // 222 VOLVO rows have no model; 3 out-of-country owners (AP, BC) have no location at all.
    assertEquals(225, c.quarantined());
    Dataset<Row> q = lake().read(Table.QUARANTINE, AS_OF).where(col("source").equalTo("registrations"));
    Map<String, Long> reasons = counts(q.groupBy("reason").count());
    System.out.println("[wa-ev] registrations quarantined by reason: " + reasons);
    assertEquals(Map.of("missing Model", 222L, "no location (no Vehicle Location, 2020 Census Tract or Postal Code)", 3L), reasons);

    Dataset<Row> regs = lake().read(Table.REGISTRATIONS_BRONZE, AS_OF);
    // 33 rows have no Vehicle Location: 30 are kept (zip and tract), 3 are the quarantined ones above.
    long noPoint = regs.where(col("longitude").isNull()).count();
    System.out.println("[wa-ev] accepted registrations without coordinates: " + noPoint);
    assertEquals(30, noPoint);
    assertEquals(0, regs.where(org.apache.spark.sql.functions.not(col("zip").rlike("^[0-9]{5}$"))).count());
    assertEquals(0, regs.where(col("registration_date").gt(java.sql.Date.valueOf(AS_OF))).count());
    Map<String, Long> fuel = counts(regs.groupBy("fuel_type").count());
    System.out.println("[wa-ev] registrations by fuel type: " + fuel);
    // The 222 VOLVO rows without a model are BEVs, as are the 3 without a location.
    assertEquals(Map.of("BEV", 100_156L - 225, "PHEV", 30_287L), fuel);
  }

  @Test
  void realDealers() {
    IngestJob.InputCounts c = real().input("dealers");
    assertEquals(2_536, c.read());
    assertEquals(37, c.accepted() + c.quarantined(), "CAR_DEALER rows");
    assertEquals(1, c.quarantined(), "Westlie Motors names no brand");
    Map<String, Long> brands = counts(lake().read(Table.DEALERS_BRONZE, AS_OF).groupBy("brand").count());
    System.out.println("[wa-ev] dealers by brand: " + brands);
    assertEquals(Map.of("NISSAN", 18L, "FORD", 9L, "CHEVROLET", 6L, "MITSUBISHI", 1L, "VOLKSWAGEN", 1L, "TESLA", 1L), brands);
  }

  @Test
  void realGeoUnits() {
    IngestJob.InputCounts c = real().input("geo_units");
    assertEquals(0, c.quarantined(), c.topReasons().toString());
    Dataset<Row> units = lake().read(Table.GEO_UNITS_BRONZE, AS_OF);
    Map<String, Long> levels = counts(units.groupBy("level").count());
    System.out.println("[wa-ev] geo units by level: " + levels);
    assertEquals(Map.of("county", 39L, "zcta", 566L, "tract", 495L), levels);
    Row king = units.where(col("geo_unit_id").equalTo("53033")).select("level", "name", "parent_id").first();
    assertEquals(RowFactory.create("county", "King", "53"), king);
    assertEquals(495, units.where(col("level").equalTo("tract").and(col("parent_id").equalTo("53033"))).count());
    // WKB rebuilds to polygons.
    units.createOrReplaceTempView("waev_units");
    Row types = TestSpark.session().sql(
        "SELECT count(*), count_if(ST_GeometryType(ST_GeomFromWKB(geometry)) IN ('ST_Polygon', 'ST_MultiPolygon')) FROM waev_units").first();
    assertEquals(types.getLong(0), types.getLong(1));
  }

  @Test
  void realDemographics() {
    IngestJob.InputCounts c = real().input("demographics");
    assertEquals(581 + 3_219, c.read());
    assertEquals(3_219 - 39, c.excluded(), "counties outside Washington");
    assertEquals(0, c.quarantined(), c.topReasons().toString());
    Dataset<Row> d = lake().read(Table.DEMOGRAPHICS_BRONZE, AS_OF);
    assertEquals(Map.of(2024, 581L, 2017, 39L), counts(d.groupBy("year").count()));
    assertEquals(54, d.where(col("year").equalTo(2024).and(col("median_household_income").isNull())).count(),
        "suppressed incomes are missing, not errors");
    assertTrue(List.of(d.columns()).containsAll(WaEvAdapter.DEMOGRAPHIC_EXTRAS));
  }

  @Test
  void realCountyHistory() {
    IngestJob.InputCounts c = real().input("county_history");
    assertEquals(18_326, c.read());
    assertEquals(76, c.quarantined(), "rows with no state and county");
    Dataset<Row> h = lake().read(Table.COUNTY_HISTORY_BRONZE, AS_OF);
    Row span = h.agg(org.apache.spark.sql.functions.min("month_end"), org.apache.spark.sql.functions.max("month_end")).first();
    System.out.println("[wa-ev] county history months: " + span + ", WA rows " + h.where(col("state").equalTo("WA")).count());
    assertEquals(java.sql.Date.valueOf("2017-01-31"), span.get(0));
    assertEquals(java.sql.Date.valueOf("2023-04-30"), span.get(1));
  }

  @Test
  void realSegmentsCoverEveryRegistration() {
    IngestJob.Result r = real();
    assertEquals(121, r.input("segments").accepted());
    assertEquals(0, r.input("segments").quarantined());
    assertEquals(0, r.unmappedRegistrations(), "unmapped make + model: " + r.topUnmapped());
  }

  private static <K> Map<K, Long> counts(Dataset<Row> keyCount) {
    Map<K, Long> m = new TreeMap<>();
    for (Row row : keyCount.collectAsList()) {
      @SuppressWarnings("unchecked")
      K k = (K) row.get(0);
      m.put(k, row.getLong(1));
    }
    return new LinkedHashMap<>(m);
  }
}
