package org.territorypotential.lake;

import static org.territorypotential.lake.Field.opt;
import static org.territorypotential.lake.Field.req;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.territorypotential.lake.Field.Type;

/**
 * The canonical input contracts from docs/design.md, in code. Adapters map real files onto
 * these; {@link Validation} checks rows against them. docs/data-contracts.md documents the same
 * fields: change both together.
 */
public final class Contracts {
  private Contracts() {}

  public static final Contract REGISTRATIONS = new Contract("registrations",
      "One new-vehicle registration, all brands (industry data).",
      List.of("registration_id"),
      List.of(
          req("registration_id", Type.STRING, "Registration identifier, unique within the source"),
          req("registration_date", Type.DATE, "Date the vehicle was registered"),
          req("make", Type.STRING, "Vehicle make (brand), upper case"),
          req("model", Type.STRING, "Vehicle model, upper case"),
          opt("model_year", Type.INT, "Model year"),
          opt("segment", Type.STRING, "Segment given by the source; else from the segment reference"),
          opt("fuel_type", Type.STRING, "Fuel or powertrain type (e.g. BEV, PHEV, ICE)"),
          opt("sale_type", Type.STRING, "retail or fleet"),
          opt("longitude", Type.DOUBLE, "Owner location longitude, WGS84 degrees"),
          opt("latitude", Type.DOUBLE, "Owner location latitude, WGS84 degrees"),
          opt("geo_unit_id", Type.STRING, "Geo unit given by the source (tract, ZCTA or county id)"),
          opt("zip", Type.STRING, "Owner ZIP code (5 digits)"),
          opt("county", Type.STRING, "Owner county name given by the source"),
          opt("selling_dealer_id", Type.STRING, "Dealer that sold the vehicle, when known"),
          opt("vin_prefix", Type.STRING, "VIN or VIN prefix: personal data, kept in bronze/silver only")));

  public static final Contract SALES = new Contract("sales",
      "One retail sale by one of our dealers (DMS / CRM export).",
      List.of("sale_id"),
      List.of(
          req("sale_id", Type.STRING, "Sale identifier, unique within the source"),
          req("dealer_id", Type.STRING, "Selling dealer"),
          req("sale_date", Type.DATE, "Date of sale"),
          req("make", Type.STRING, "Vehicle make, upper case"),
          req("model", Type.STRING, "Vehicle model, upper case"),
          opt("segment", Type.STRING, "Segment given by the source; else from the segment reference"),
          opt("price", Type.DOUBLE, "Transaction price"),
          opt("customer_longitude", Type.DOUBLE, "Customer location longitude, WGS84 degrees"),
          opt("customer_latitude", Type.DOUBLE, "Customer location latitude, WGS84 degrees"),
          opt("customer_zip", Type.STRING, "Customer ZIP code"),
          opt("customer_name", Type.STRING, "Customer name: personal data, kept in bronze/silver only")));

  public static final Contract DEALERS = new Contract("dealers",
      "One sales point.",
      List.of("dealer_id"),
      List.of(
          req("dealer_id", Type.STRING, "Dealer identifier"),
          req("name", Type.STRING, "Dealer name"),
          req("brand", Type.STRING, "Brand (make) the dealer sells, upper case"),
          req("longitude", Type.DOUBLE, "Dealer longitude, WGS84 degrees"),
          req("latitude", Type.DOUBLE, "Dealer latitude, WGS84 degrees"),
          opt("open_date", Type.DATE, "Date the dealer opened"),
          opt("close_date", Type.DATE, "Date the dealer closed; empty while open")));

  public static final Contract DEMOGRAPHICS = new Contract("demographics",
      "One geo unit and year; numeric measures (open set: extra numeric columns are kept).",
      List.of("geo_unit_id", "year"),
      List.of(
          req("geo_unit_id", Type.STRING, "Geo unit the measures describe"),
          req("year", Type.INT, "Year the measures refer to"),
          opt("population", Type.DOUBLE, "Resident population"),
          opt("households", Type.DOUBLE, "Households (or housing units where only those exist)"),
          opt("median_household_income", Type.DOUBLE, "Median household income, USD"),
          opt("mean_commute_minutes", Type.DOUBLE, "Mean travel time to work, minutes"),
          opt("work_from_home_pct", Type.DOUBLE, "Share of workers working at home, percent")));

  public static final Contract GEO_UNITS = new Contract("geo_units",
      "One polygon: a census tract, ZCTA or county.",
      List.of("geo_unit_id"),
      List.of(
          req("geo_unit_id", Type.STRING, "Geo unit identifier (tract GEOID, ZCTA, county FIPS)"),
          req("level", Type.STRING, "tract, zcta or county"),
          opt("name", Type.STRING, "Display name"),
          opt("parent_id", Type.STRING, "Enclosing unit (e.g. the county of a tract)"),
          req("geometry", Type.GEOMETRY, "Polygon, WGS84, stored as WKB")));

  public static final Contract SEGMENTS = new Contract("segments",
      "One make + model and its segment.",
      List.of("make", "model"),
      List.of(
          req("make", Type.STRING, "Vehicle make, upper case"),
          req("model", Type.STRING, "Vehicle model, upper case"),
          req("segment", Type.STRING, "Segment (see docs/data-contracts.md for the list)")));

  public static final Contract TERRITORIES = new Contract("territories",
      "One geo unit and the sales territory it belongs to (optional input).",
      List.of("geo_unit_id"),
      List.of(
          req("geo_unit_id", Type.STRING, "Geo unit"),
          req("territory_id", Type.STRING, "Territory"),
          opt("district", Type.STRING, "District above the territory"),
          opt("region", Type.STRING, "Region above the district"),
          opt("owner", Type.STRING, "Role responsible for the territory (no personal names)")));

  /** Washington only: vehicle stock per county and month (not a canonical contract). */
  public static final Contract COUNTY_HISTORY = new Contract("county_history",
      "Registered vehicle stock per county, month and primary use (WA DOL history).",
      List.of("month_end", "state", "county", "vehicle_use"),
      List.of(
          req("month_end", Type.DATE, "Month-end date of the count"),
          req("state", Type.STRING, "State of residence (2-letter)"),
          req("county", Type.STRING, "County name"),
          req("vehicle_use", Type.STRING, "Passenger or Truck"),
          req("bev", Type.LONG, "Battery-electric vehicles registered"),
          req("phev", Type.LONG, "Plug-in hybrid vehicles registered"),
          req("ev_total", Type.LONG, "All electric vehicles registered"),
          req("non_ev_total", Type.LONG, "Non-electric vehicles registered"),
          req("total_vehicles", Type.LONG, "All vehicles registered")));

  public static final List<Contract> ALL = List.of(
      REGISTRATIONS, SALES, DEALERS, DEMOGRAPHICS, GEO_UNITS, SEGMENTS, TERRITORIES, COUNTY_HISTORY);

  private static final Map<String, Contract> BY_INPUT =
      ALL.stream().collect(Collectors.toMap(Contract::input, Function.identity()));

  public static Contract forInput(String input) {
    Contract c = BY_INPUT.get(input);
    if (c == null) {
      throw new IllegalArgumentException("no contract for input '" + input + "'");
    }
    return c;
  }
}
