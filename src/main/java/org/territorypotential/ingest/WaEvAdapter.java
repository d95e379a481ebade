package org.territorypotential.ingest;

import org.territorypotential.lake.Contracts;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lpad;
import static org.apache.spark.sql.functions.make_date;
import static org.apache.spark.sql.functions.monotonically_increasing_id;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.nullif;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.territorypotential.config.AppConfig;

/**
 * Maps the Washington State public files ({@code tp.wa-ev.dir}, described in
 * ../shared/data/wa-ev/README.md) onto the input contracts. The files' names and header names are
 * facts of that data set and live here; what a user may want to tune (folder, snapshot date,
 * dealer brands) lives under {@code tp.wa-ev} in the configuration.
 *
 * <p>Mapping decisions, each visible in one transform below:
 * <ul>
 *   <li>registrations: the file has no registration date, so registration_date = 1 July of the
 *       model year, capped at {@code tp.wa-ev.snapshot-date}; a 3- or 4-digit Postal Code (owners
 *       in New England whose ZIP lost its leading zero) is left-padded to 5 digits; rows of
 *       owners outside WA are kept (they are WA registrations; silver leaves them unlocated).
 *   <li>dealers: only charging stations whose Facility Type is CAR_DEALER are in scope; the
 *       brand is the configured brand that appears earliest in the station name.
 *   <li>demographics: the ZIP file (ACS 2024 5-year, year 2024) and the WA rows of the county
 *       file (ACS 2013-2017, year 2017) in one frame with the same open-set extra columns.
 *   <li>geo_units: counties and ZCTAs from GeoJSON, King County tracts from the shapefile, all
 *       through Sedona's readers, geometry as WKB.
 * </ul>
 */
public final class WaEvAdapter implements SourceAdapter {
  static final String EV_POPULATION = "ev_population_2023.csv.gz";
  static final String CHARGING_STATIONS = "wa_charging_stations_afdc.csv";
  static final String ZIP_DEMOGRAPHICS = "zip_demographics_acs.csv";
  static final String COUNTY_DEMOGRAPHICS = "county_demographics_acs2017.csv";
  static final String COUNTIES = "wa_counties.geojson";
  static final String ZCTAS = "wa_zcta_2020.geojson";
  static final String TRACTS = "king_county_tracts_2020";
  static final String COUNTY_HISTORY = "ev_population_history_by_county.csv";

  /** Vintage of each demographics file (ACS 5-year estimates ending in that year). */
  static final int ZIP_DEMOGRAPHICS_YEAR = 2024;
  static final int COUNTY_DEMOGRAPHICS_YEAR = 2017;
  static final String WA_STATE_FIPS = "53";
  static final String DEALER_FACILITY_TYPE = "CAR_DEALER";
  /** The public files are UTF-8 (checked with iconv, 1 Dec 2026); bytes that do not decode quarantine their row. */
  static final String ENCODING = "UTF-8";

  /**
   * Columns of each file that the adapter knows and does not read (the files' published layouts):
   * a column neither read nor listed here is new, and ingest warns about it once, by name.
   */
  static final List<String> REGISTRATIONS_UNUSED = List.of("City", "State", "Clean Alternative Fuel Vehicle (CAFV) Eligibility",
      "Electric Range", "Base MSRP", "Legislative District", "Electric Utility");
  static final List<String> STATIONS_UNUSED = List.of("City", "Access Days Time", "EV Network", "Owner Type Code", "County");
  static final List<String> ZIP_DEMOGRAPHICS_UNUSED = List.of("city", "county", "latitude", "longitude");
  static final List<String> COUNTY_DEMOGRAPHICS_UNUSED = List.of("State", "County", "Men", "Women", "Hispanic", "White",
      "Black", "Native", "Asian", "Pacific", "VotingAgeCitizen", "IncomeErr", "IncomePerCapErr", "ChildPoverty",
      "Professional", "Service", "Office", "Construction", "Production", "Carpool", "Walk", "OtherTransp", "PrivateWork",
      "PublicWork", "SelfEmployed", "FamilyWork");
  static final List<String> HISTORY_UNUSED = List.of("Percent Electric Vehicles");

  /**
   * Registrations' contract fields -> the EV file's columns, for quarantine reasons (registration_date
   * is derived from Model Year, coordinates from Vehicle Location).
   */
  static final Map<String, String> REGISTRATION_SOURCE_NAMES = Map.of(
      "registration_id", "DOL Vehicle ID", "registration_date", "Model Year", "make", "Make", "model", "Model",
      "model_year", "Model Year", "fuel_type", "Electric Vehicle Type", "zip", "Postal Code",
      "geo_unit_id", "2020 Census Tract", "county", "County", "vin_prefix", "VIN (1-10)");

  /** Open-set demographic measures beyond the contract's; both demographics files carry all of them (null where absent). */
  static final List<String> DEMOGRAPHIC_EXTRAS = List.of("multifamily_share_pct", "long_commute_share_pct",
      "income_per_capita", "poverty_pct", "drive_commute_pct", "transit_commute_pct", "employed", "unemployment_pct");

  private static final String NUM = "[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?";
  /** WKT of a 2D point, e.g. {@code POINT (-122.64681 47.73689)}: group 1 = longitude, 2 = latitude. */
  static final String WKT_POINT = "(?i)^\\s*POINT\\s*\\(\\s*(" + NUM + ")\\s+(" + NUM + ")\\s*\\)\\s*$";

  @Override
  public List<RawInput> read(SparkSession spark, AppConfig cfg) {
    String dir = cfg.getString("tp.wa-ev.dir");
    LocalDate snapshot = cfg.date("tp.wa-ev.snapshot-date");
    List<String> brands = cfg.getStringList("tp.wa-ev.dealer-brands");
    if (brands.isEmpty()) {
      throw new org.territorypotential.config.ConfigError("configuration key 'tp.wa-ev.dealer-brands' must name at least one brand");
    }
    List<RawInput> out = new ArrayList<>();
    Dataset<Row> regs = readRegistrations(spark, file(dir, EV_POPULATION));
    Map<String, String> regNames = new java.util.HashMap<>(REGISTRATION_SOURCE_NAMES);
    regNames.putAll(Map.of("coordinates", "Vehicle Location", "longitude", "Vehicle Location (longitude)",
        "latitude", "Vehicle Location (latitude)"));
    out.add(new RawInput(Contracts.REGISTRATIONS, file(dir, EV_POPULATION), toRegistrations(regs, snapshot), regNames,
        unexpected(regs, REGISTRATION_HEADERS, REGISTRATIONS_UNUSED), ENCODING));
    Dataset<Row> stations = readStations(spark, file(dir, CHARGING_STATIONS));
    out.add(new RawInput(Contracts.DEALERS, file(dir, CHARGING_STATIONS), toDealers(stations, brands),
        Map.of("dealer_id", "ID", "name", "Station Name", "longitude", "Longitude", "latitude", "Latitude"),
        unexpected(stations, STATION_HEADERS, STATIONS_UNUSED), ENCODING));
    Dataset<Row> zipDemo = readZipDemographics(spark, file(dir, ZIP_DEMOGRAPHICS));
    Dataset<Row> countyDemo = readCountyDemographics(spark, file(dir, COUNTY_DEMOGRAPHICS));
    List<String> demoUnexpected = new ArrayList<>(unexpected(zipDemo, ZIP_DEMOGRAPHICS_HEADERS, ZIP_DEMOGRAPHICS_UNUSED));
    demoUnexpected.addAll(unexpected(countyDemo, COUNTY_DEMOGRAPHICS_HEADERS, COUNTY_DEMOGRAPHICS_UNUSED));
    out.add(new RawInput(Contracts.DEMOGRAPHICS, file(dir, ZIP_DEMOGRAPHICS) + ", " + file(dir, COUNTY_DEMOGRAPHICS),
        toZipDemographics(zipDemo).unionByName(toCountyDemographics(countyDemo)), Map.of(), demoUnexpected, ENCODING));
    out.add(new RawInput(Contracts.GEO_UNITS, file(dir, COUNTIES) + ", " + file(dir, ZCTAS) + ", " + file(dir, TRACTS),
        readCounties(spark, file(dir, COUNTIES))
            .unionByName(readZctas(spark, file(dir, ZCTAS)))
            .unionByName(readTracts(spark, file(dir, TRACTS)))));
    Dataset<Row> history = readCountyHistory(spark, file(dir, COUNTY_HISTORY));
    out.add(new RawInput(Contracts.COUNTY_HISTORY, file(dir, COUNTY_HISTORY), toCountyHistory(history), Map.of(),
        unexpected(history, HISTORY_HEADERS, HISTORY_UNUSED), ENCODING));
    out.add(SegmentReference.read(spark, cfg));
    return out.stream().map(WaEvAdapter::withExcludedColumn).toList();
  }

  /** Every frame carries {@code _excluded_reason} (null where the adapter excludes nothing), as IngestJob counts it. */
  private static RawInput withExcludedColumn(RawInput in) {
    if (Validation.hasColumn(in.rows(), Validation.EXCLUDED_REASON)) {
      return in;
    }
    return in.withRows(in.rows().withColumn(Validation.EXCLUDED_REASON, lit(null).cast("string")));
  }

  /** Columns of a file as read that the adapter neither reads ({@code headers}) nor knows to leave ({@code unused}). */
  static List<String> unexpected(Dataset<Row> raw, Map<String, String> headers, List<String> unused) {
    return java.util.Arrays.stream(raw.columns())
        .filter(n -> !n.startsWith("_") && !headers.containsValue(n) && !unused.contains(n)).toList();
  }

  private static String file(String dir, String name) {
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  // ---------------------------------------------------------------- registrations

  /** EV population file header -> the raw names {@link #toRegistrations} expects. */
  static final Map<String, String> REGISTRATION_HEADERS = ordered(
      "DOL Vehicle ID", "registration_id",
      "Make", "make",
      "Model", "model",
      "Model Year", "model_year",
      "Electric Vehicle Type", "ev_type",
      "Vehicle Location", "vehicle_location",
      "Postal Code", "zip",
      "2020 Census Tract", "geo_unit_id",
      "County", "county",
      "VIN (1-10)", "vin_prefix");

  static Dataset<Row> readRegistrations(SparkSession spark, String path) {
    return Sources.readDelimited(spark, "registrations", path, ";", false, REGISTRATION_HEADERS,
        List.copyOf(REGISTRATION_HEADERS.values()), ENCODING);
  }

  /**
   * EV population rows -> registrations (raw strings). registration_date = 1 July of the model
   * year (the middle of the year it is sold in), capped at the snapshot date: the file has no
   * registration date. Coordinates come from the {@code Vehicle Location} WKT point.
   */
  static Dataset<Row> toRegistrations(Dataset<Row> raw, LocalDate snapshot) {
    Column year = trim(col("model_year"));
    // a year that is not 4 digits passes through as text: validation then names it ("unparsable Model Year '-5'")
    Column regDate = when(year.rlike("^[0-9]{4}$"),
        date_format(least(make_date(year.cast("int"), lit(7), lit(1)), lit(java.sql.Date.valueOf(snapshot))), "yyyy-MM-dd"))
        .otherwise(year);
    Column zip = trim(col("zip"));
    Column type = trim(col("ev_type"));
    Column location = col("vehicle_location");
    return raw.select(
        col("registration_id"),
        regDate.as("registration_date"),
        col("make"),
        col("model"),
        col("model_year"),
        lit(null).cast("string").as("segment"),
        coalesce(nullif(regexp_extract(type, "\\((BEV|PHEV)\\)\\s*$", 1), lit("")), nullif(type, lit(""))).as("fuel_type"),
        lit(null).cast("string").as("sale_type"),
        pointLongitude(location).as("longitude"),
        pointLatitude(location).as("latitude"),
        col("geo_unit_id"),
        when(zip.rlike("^[0-9]{3,4}$"), lpad(zip, 5, "0")).otherwise(zip).as("zip"),
        col("county"),
        lit(null).cast("string").as("selling_dealer_id"),
        col("vin_prefix"),
        col(Validation.SOURCE_FILE), col(Validation.SOURCE_ROW), col(Validation.RAW_RECORD),
        reasons(col(Validation.ADAPTER_REASON), badWktReason(location, "Vehicle Location")).as(Validation.ADAPTER_REASON));
  }

  /** Longitude (as text) of a WKT point, null when the value is empty or not a point. */
  static Column pointLongitude(Column wkt) {
    return nullif(regexp_extract(wkt, WKT_POINT, 1), lit(""));
  }

  /** Latitude (as text) of a WKT point, null when the value is empty or not a point. */
  static Column pointLatitude(Column wkt) {
    return nullif(regexp_extract(wkt, WKT_POINT, 2), lit(""));
  }

  /** A reason when a non-empty value is not a WKT point; null when it is one or is empty (missing, not wrong). */
  static Column badWktReason(Column wkt, String header) {
    Column v = trim(wkt);
    return when(v.isNotNull().and(v.notEqual("")).and(not(v.rlike(WKT_POINT))),
        concat(lit("bad WKT in " + header + " '"), v, lit("'")));
  }

  // ---------------------------------------------------------------- dealers

  static final Map<String, String> STATION_HEADERS = ordered(
      "ID", "dealer_id",
      "Station Name", "name",
      "Facility Type", "facility_type",
      "Longitude", "longitude",
      "Latitude", "latitude");

  /** Quoted fields hold commas and line breaks: parsed as real CSV with multiLine. */
  static Dataset<Row> readStations(SparkSession spark, String path) {
    return Sources.readDelimited(spark, "dealers", path, ",", true, STATION_HEADERS, List.copyOf(STATION_HEADERS.values()),
        ENCODING);
  }

  /**
   * Charging stations -> dealers. Stations whose Facility Type is not CAR_DEALER are excluded
   * (counted, not quarantined); a malformed row stays quarantined whatever its type. The brand
   * is {@link #brandFromName}; a dealer naming no known brand is quarantined.
   */
  static Dataset<Row> toDealers(Dataset<Row> raw, List<String> brands) {
    Column type = trim(col("facility_type"));
    Column isDealer = coalesce(type, lit("")).equalTo(DEALER_FACILITY_TYPE);
    Column brand = brandFromName(col("name"), brands);
    return raw.select(
        col("dealer_id"),
        col("name"),
        brand.as("brand"),
        col("longitude"),
        col("latitude"),
        lit(null).cast("string").as("open_date"),
        lit(null).cast("string").as("close_date"),
        col(Validation.SOURCE_FILE), col(Validation.SOURCE_ROW), col(Validation.RAW_RECORD),
        reasons(col(Validation.ADAPTER_REASON), when(isDealer.and(brand.isNull()), lit("no known brand in station name")))
            .as(Validation.ADAPTER_REASON),
        when(col(Validation.ADAPTER_REASON).isNull().and(not(isDealer)),
            concat(lit("not a car dealer (Facility Type "), coalesce(nullif(type, lit("")), lit("empty")), lit(")")))
            .as(Validation.EXCLUDED_REASON));
  }

  /**
   * The brand (upper case) that appears earliest in {@code name}, matched case-insensitively as
   * whole words; null when none does. Earliest wins because a dealer's own brand usually leads
   * its name ("Haselwood Chevrolet Buick GMC" -> CHEVROLET); a charging-network prefix leads too,
   * so "Ford Charge - Korum Lincoln" -> FORD (Ford's dealer charging network at a Ford-Lincoln
   * store). At one position the longest brand wins ("Land Rover" before a shorter "Land").
   */
  static Column brandFromName(Column name, List<String> brands) {
    return upper(nullif(regexp_extract(name, brandPattern(brands), 1), lit("")));
  }

  /** One regex alternation over the brands: a regex search returns the leftmost match, as the rule needs. */
  static String brandPattern(List<String> brands) {
    List<String> sorted = brands.stream().map(String::trim).filter(b -> !b.isEmpty())
        .sorted(Comparator.comparingInt(String::length).reversed()).toList();
    return "(?i)\\b(" + String.join("|", sorted.stream().map(Pattern::quote).toList()) + ")\\b";
  }

  // ---------------------------------------------------------------- demographics

  static final Map<String, String> ZIP_DEMOGRAPHICS_HEADERS = ordered(
      "zip", "geo_unit_id",
      "housing_units", "households",
      "median_household_income", "median_household_income",
      "avg_commute_minutes", "mean_commute_minutes",
      "work_from_home_share_pct", "work_from_home_pct",
      "multifamily_share_pct", "multifamily_share_pct",
      "long_commute_share_pct", "long_commute_share_pct");

  static Dataset<Row> readZipDemographics(SparkSession spark, String path) {
    return Sources.readDelimited(spark, "demographics", path, ",", false, ZIP_DEMOGRAPHICS_HEADERS,
        List.copyOf(ZIP_DEMOGRAPHICS_HEADERS.values()), ENCODING);
  }

  /** ZIP rows (ACS 2024 5-year): housing units stand in for households; empty cells stay missing. */
  static Dataset<Row> toZipDemographics(Dataset<Row> raw) {
    return demographics(raw, col("geo_unit_id"), ZIP_DEMOGRAPHICS_YEAR, null, null);
  }

  static final Map<String, String> COUNTY_DEMOGRAPHICS_HEADERS = ordered(
      "CountyId", "county_id",
      "TotalPop", "population",
      "Income", "median_household_income",
      "MeanCommute", "mean_commute_minutes",
      "WorkAtHome", "work_from_home_pct",
      "IncomePerCap", "income_per_capita",
      "Poverty", "poverty_pct",
      "Drive", "drive_commute_pct",
      "Transit", "transit_commute_pct",
      "Employed", "employed",
      "Unemployment", "unemployment_pct");

  static Dataset<Row> readCountyDemographics(SparkSession spark, String path) {
    return Sources.readDelimited(spark, "demographics", path, ",", false, COUNTY_DEMOGRAPHICS_HEADERS,
        List.copyOf(COUNTY_DEMOGRAPHICS_HEADERS.values()), ENCODING);
  }

  /**
   * County rows (ACS 2013-2017): geo_unit_id = 5-digit FIPS (CountyId is an integer, so a
   * leading zero is restored); counties outside Washington are excluded.
   */
  static Dataset<Row> toCountyDemographics(Dataset<Row> raw) {
    Column id = trim(col("county_id"));
    Column fips = lpad(id, 5, "0");
    Column badId = when(id.isNull().or(not(id.rlike("^[0-9]{1,5}$"))),
        concat(lit("bad CountyId '"), coalesce(id, lit("")), lit("'")));
    Column outside = when(col(Validation.ADAPTER_REASON).isNull().and(badId.isNull())
        .and(not(fips.startsWith(WA_STATE_FIPS))), lit("outside Washington"));
    return demographics(raw, when(badId.isNull(), fips), COUNTY_DEMOGRAPHICS_YEAR, badId, outside);
  }

  private static Dataset<Row> demographics(Dataset<Row> raw, Column geoUnitId, int year, Column reason, Column excluded) {
    List<Column> cols = new ArrayList<>();
    cols.add(geoUnitId.as("geo_unit_id"));
    cols.add(lit(String.valueOf(year)).as("year"));
    for (String measure : List.of("population", "households", "median_household_income", "mean_commute_minutes",
        "work_from_home_pct")) {
      cols.add(stringOrNull(raw, measure));
    }
    for (String extra : DEMOGRAPHIC_EXTRAS) {
      cols.add(stringOrNull(raw, extra));
    }
    cols.add(col(Validation.SOURCE_FILE));
    cols.add(col(Validation.SOURCE_ROW));
    cols.add(col(Validation.RAW_RECORD));
    cols.add(reasons(col(Validation.ADAPTER_REASON), reason == null ? lit(null).cast("string") : reason)
        .as(Validation.ADAPTER_REASON));
    cols.add((excluded == null ? lit(null).cast("string") : excluded).as(Validation.EXCLUDED_REASON));
    return raw.select(cols.toArray(new Column[0]));
  }

  private static Column stringOrNull(Dataset<Row> raw, String name) {
    return Validation.hasColumn(raw, name) ? col(name) : lit(null).cast("string").as(name);
  }

  // ---------------------------------------------------------------- geo units

  /** The 39 WA counties: geo_unit_id = STATE + COUNTY FIPS (e.g. 53033), parent = the state. */
  static Dataset<Row> readCounties(SparkSession spark, String path) {
    Dataset<Row> f = features(spark, "geo_units", path);
    return f.select(
        concat(col("f.properties.STATE"), col("f.properties.COUNTY")).as("geo_unit_id"),
        lit("county").as("level"),
        col("f.properties.NAME").cast("string").as("name"),
        lit(WA_STATE_FIPS).as("parent_id"),
        expr("ST_AsBinary(f.geometry)").as("geometry"),
        lit(path).as(Validation.SOURCE_FILE),
        col("pos").cast("long").as(Validation.SOURCE_ROW),
        to_json(col("f.properties")).as(Validation.RAW_RECORD),
        lit(null).cast("string").as(Validation.ADAPTER_REASON));
  }

  /** WA ZCTAs: geo_unit_id = zipCode (a ZCTA is not a ZIP: no parent, and not every ZIP has one). */
  static Dataset<Row> readZctas(SparkSession spark, String path) {
    Dataset<Row> f = features(spark, "geo_units", path);
    return f.select(
        col("f.properties.zipCode").cast("string").as("geo_unit_id"),
        lit("zcta").as("level"),
        col("f.properties.zipCode").cast("string").as("name"),
        lit(null).cast("string").as("parent_id"),
        expr("ST_AsBinary(f.geometry)").as("geometry"),
        lit(path).as(Validation.SOURCE_FILE),
        col("pos").cast("long").as(Validation.SOURCE_ROW),
        to_json(col("f.properties")).as(Validation.RAW_RECORD),
        lit(null).cast("string").as(Validation.ADAPTER_REASON));
  }

  /**
   * A one-document FeatureCollection through Sedona's GeoJSON reader: one row whose
   * {@code features} array is exploded into {@code pos} (the feature's index) and {@code f}.
   * multiLine is set so a pretty-printed document parses too (these files are one line).
   */
  static Dataset<Row> features(SparkSession spark, String input, String path) {
    Sources.requireExists(spark, input, path);
    Dataset<Row> doc = spark.read().format("geojson").option("multiLine", "true").load(path);
    if (!Validation.hasColumn(doc, "features")) {
      throw new IngestError("input '" + input + "': " + path + " is not a GeoJSON FeatureCollection (no 'features'); columns are "
          + List.of(doc.columns()));
    }
    return doc.select(posexplode(col("features")).as(new String[] {"pos", "f"}));
  }

  /** King County tracts (shapefile folder): geo_unit_id = GEO_ID_TRT, parent = its county FIPS. */
  static Dataset<Row> readTracts(SparkSession spark, String folder) {
    Sources.requireExists(spark, "geo_units", folder);
    Dataset<Row> shp = spark.read().format("shapefile").load(folder);
    for (String c : List.of("GEO_ID_TRT", "NAMELSAD20", "geometry")) {
      if (!Validation.hasColumn(shp, c)) {
        throw new IngestError("input 'geo_units': " + folder + " lacks required column " + c + "; columns are "
            + List.of(shp.columns()));
      }
    }
    Column id = trim(col("GEO_ID_TRT").cast("string"));
    List<Column> attributes = new ArrayList<>();
    for (String c : shp.columns()) {
      if (!c.equals("geometry")) {
        attributes.add(col(c));
      }
    }
    return shp.select(
        id.as("geo_unit_id"),
        lit("tract").as("level"),
        col("NAMELSAD20").cast("string").as("name"),
        substring(id, 1, 5).as("parent_id"),
        expr("ST_AsBinary(geometry)").as("geometry"),
        lit(folder).as(Validation.SOURCE_FILE),
        monotonically_increasing_id().as(Validation.SOURCE_ROW),
        to_json(struct(attributes.toArray(new Column[0]))).as(Validation.RAW_RECORD),
        lit(null).cast("string").as(Validation.ADAPTER_REASON));
  }

  // ---------------------------------------------------------------- county history

  static final Map<String, String> HISTORY_HEADERS = ordered(
      "Date", "month_end",
      "State", "state",
      "County", "county",
      "Vehicle Primary Use", "vehicle_use",
      "Battery Electric Vehicles (BEVs)", "bev",
      "Plug-In Hybrid Electric Vehicles (PHEVs)", "phev",
      "Electric Vehicle (EV) Total", "ev_total",
      "Non-Electric Vehicle Total", "non_ev_total",
      "Total Vehicles", "total_vehicles");

  static Dataset<Row> readCountyHistory(SparkSession spark, String path) {
    return Sources.readDelimited(spark, "county_history", path, ",", false, HISTORY_HEADERS,
        List.copyOf(HISTORY_HEADERS.values()), ENCODING);
  }

  /** History rows: month_end rewritten as yyyy-MM-dd; every state kept (the forecast stage filters). */
  static Dataset<Row> toCountyHistory(Dataset<Row> raw) {
    List<Column> cols = new ArrayList<>();
    cols.add(isoMonthEnd(col("month_end")).as("month_end"));
    for (String c : List.of("state", "county", "vehicle_use", "bev", "phev", "ev_total", "non_ev_total", "total_vehicles")) {
      cols.add(col(c));
    }
    cols.add(col(Validation.SOURCE_FILE));
    cols.add(col(Validation.SOURCE_ROW));
    cols.add(col(Validation.RAW_RECORD));
    cols.add(col(Validation.ADAPTER_REASON));
    return raw.select(cols.toArray(new Column[0]));
  }

  /**
   * "October 31 2017" -> "2017-10-31". A value that does not parse is returned as it was, so
   * validation quarantines it as an unparsable month_end instead of losing it.
   */
  static Column isoMonthEnd(Column text) {
    Column t = regexp_replace(trim(text), "\\s+", " ");
    return coalesce(date_format(to_date(t, "MMMM d yyyy"), "yyyy-MM-dd"), text);
  }

  // ---------------------------------------------------------------- helpers

  /** Reasons joined with "; ", null when there are none. */
  private static Column reasons(Column... rs) {
    return nullif(concat_ws("; ", rs), lit(""));
  }

  private static Map<String, String> ordered(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }
}
