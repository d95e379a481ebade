package org.territorypotential.lake;

/**
 * The declared schema of every silver, gold and ops table, as Spark DDL (names and types, in
 * order, lineage columns last). Bronze tables are declared by their input contract
 * ({@link Table#schema}). {@link Lake#write} checks every write against these, and the schema tests
 * hold each transform's final select to them: a column added to a transform is added here too.
 */
final class TableSchemas {
  private TableSchemas() {}

  static String ddl(Table t) {
    return switch (t) {
      case CROSS_SELL -> """
          source STRING, brand STRING, selling_dealer_id STRING, customer_territory_id STRING,
          customer_dealer_id STRING, sales BIGINT, is_without_selling_dealer BOOLEAN, is_customer_unlocated
          BOOLEAN, is_retained BOOLEAN, is_selling_dealer_open BOOLEAN, period_start DATE, period_end DATE,
          run_id STRING, input_versions STRING, as_of DATE""";
      case DEALER_EXPECTED_BY_SEGMENT -> """
          dealer_id STRING, brand STRING, territory_id STRING, segment STRING, industry_registrations BIGINT,
          brand_registrations BIGINT, benchmark_area STRING, benchmark_area_id STRING,
          benchmark_industry_registrations BIGINT, benchmark_brand_registrations BIGINT, benchmark_share
          DOUBLE, expected_registrations DOUBLE, local_area STRING, local_area_ids STRING,
          local_fallback_units BIGINT, local_benchmark_share DOUBLE, expected_registrations_local DOUBLE, note
          STRING, period_start DATE, period_end DATE, run_id STRING, input_versions STRING, as_of DATE""";
      case DEALER_PERFORMANCE -> """
          dealer_id STRING, dealer_name STRING, brand STRING, territory_id STRING, pma_units BIGINT,
          benchmark_area STRING, benchmark_area_id STRING, benchmark_area_source STRING,
          industry_registrations BIGINT, actual_registrations BIGINT, actual_sales BIGINT,
          expected_registrations DOUBLE, expected_registrations_local DOUBLE, registration_effectiveness
          DOUBLE, registration_effectiveness_local DOUBLE, sales_effectiveness DOUBLE,
          sales_effectiveness_local DOUBLE, effectiveness_null_reason STRING, effectiveness_local_null_reason
          STRING, sales_effectiveness_null_reason STRING, band STRING, sales_band STRING, rank_in_area INT,
          percentile_in_area DOUBLE, dealers_in_area BIGINT, sales_rank_in_area INT, sales_percentile_in_area
          DOUBLE, throughput BIGINT, area_throughput DOUBLE, cross_sell_source STRING, own_sales BIGINT,
          retained_sales BIGINT, pump_in BIGINT, pump_out BIGINT, own_sales_customer_unlocated BIGINT,
          unattributed_sales_in_pma BIGINT, retention DOUBLE, period_start DATE, period_end DATE, run_id
          STRING, input_versions STRING, as_of DATE""";
      case DEMAND_FORECAST -> """
          series_id STRING, level STRING, segment STRING, target_month DATE, horizon INT, forecast DOUBLE,
          lower_80 DOUBLE, upper_80 DOUBLE, lower_95 DOUBLE, upper_95 DOUBLE, method STRING, scope STRING,
          model_version STRING, run_id STRING, input_versions STRING, as_of DATE""";
      case MARKET_DATA_QUALITY -> """
          check_name STRING, affected BIGINT, base BIGINT, share DOUBLE, description STRING, period_start
          DATE, period_end DATE, run_id STRING, input_versions STRING, as_of DATE""";
      case MARKET_SHARE -> """
          area_type STRING, area_id STRING, period_type STRING, period_start DATE, period_end DATE, segment
          STRING, brand STRING, industry_registrations BIGINT, brand_registrations BIGINT, share DOUBLE,
          run_id STRING, input_versions STRING, as_of DATE""";
      case MONTHLY_REGISTRATIONS -> """
          geo_unit_id STRING, county_id STRING, territory_id STRING, pma_territory_id STRING, segment STRING,
          brand STRING, month DATE, registrations BIGINT, is_partial_month BOOLEAN, run_id STRING,
          input_versions STRING, as_of DATE""";
      case POTENTIAL_SCORES -> """
          territory_type STRING, territory_id STRING, region STRING, segment STRING, geo_units BIGINT,
          demand_next_12 DOUBLE, forecast_months BIGINT, industry_trailing_12 DOUBLE, brand_trailing_12
          DOUBLE, actual_share DOUBLE, benchmark_share DOUBLE, target_share DOUBLE, attainable_share DOUBLE,
          attainable_share_source STRING, potential_units DOUBLE, brand_last_3_months DOUBLE, current_pace
          DOUBLE, opportunity_gap DOUBLE, growth DOUBLE, demographic_index DOUBLE, pr_opportunity_gap DOUBLE,
          pr_potential DOUBLE, pr_growth DOUBLE, pr_demographics DOUBLE, weight_opportunity_gap DOUBLE,
          weight_potential DOUBLE, weight_growth DOUBLE, weight_demographics DOUBLE, score DOUBLE,
          rank_in_region INT, territories_in_region BIGINT, percentile_in_region DOUBLE, band STRING, brand
          STRING, forecast_method STRING, model_version STRING, run_id STRING, input_versions STRING, as_of
          DATE""";
      case SALES_GOALS -> """
          brand STRING, period STRING, target_units BIGINT, target_basis STRING, territory_type STRING,
          territory_id STRING, potential_units DOUBLE, potential_share DOUBLE, proportional_units DOUBLE,
          continuous_units DOUBLE, floor_units BIGINT, cap_units BIGINT, goal_units BIGINT, model_version
          STRING, run_id STRING, input_versions STRING, as_of DATE""";
      case TERRITORY_DESIGN -> """
          scenario_id STRING, balance STRING, geo_unit_id STRING, territory_id STRING, territory_before STRING,
          is_moved BOOLEAN, is_locked BOOLEAN, load DOUBLE, potential DOUBLE, bridged_to_geo_unit_id STRING,
          run_id STRING, input_versions STRING, as_of DATE""";
      case TERRITORY_DESIGN_METRICS -> """
          scenario_id STRING, assignment STRING, balance STRING, territory_id STRING, units BIGINT, load DOUBLE,
          target_load DOUBLE, load_deviation DOUBLE, area_km2 DOUBLE, perimeter_km DOUBLE, polsby_popper DOUBLE,
          components INT, cut_edges INT, units_moved_in INT, units_moved_out INT, potential_moved_in DOUBLE,
          potential_moved_out DOUBLE, dealers_moved_in DOUBLE, dealers_moved_out DOUBLE, is_contiguous BOOLEAN,
          is_feasible BOOLEAN, notes STRING, run_id STRING, input_versions STRING, as_of DATE""";
      case WHATIF_RESULTS -> """
          scenario_id STRING, action STRING, brand STRING, dealer_id STRING, is_scenario_dealer BOOLEAN,
          pma_units_before INT, pma_units_after INT, pma_potential_before DOUBLE, pma_potential_after DOUBLE,
          captured_before DOUBLE, captured_after DOUBLE, captured_change DOUBLE, units_reassigned INT,
          brand_captured_before DOUBLE, brand_captured_after DOUBLE, cannibalisation DOUBLE, net_brand_gain
          DOUBLE, huff_alpha DOUBLE, huff_beta DOUBLE, huff_source STRING, industry_registrations_before BIGINT,
          industry_registrations_after BIGINT, expected_registrations_before DOUBLE, expected_registrations_after DOUBLE,
          expected_registrations_change DOUBLE, actual_registrations_before BIGINT, actual_registrations_after BIGINT,
          actual_registrations_change BIGINT, actual_sales_before BIGINT, actual_sales_after BIGINT, actual_sales_change
          BIGINT, registration_effectiveness_before DOUBLE, registration_effectiveness_after DOUBLE,
          registration_effectiveness_change DOUBLE, sales_effectiveness_before DOUBLE, sales_effectiveness_after DOUBLE,
          sales_effectiveness_change DOUBLE, brand_expected_before DOUBLE, brand_expected_after DOUBLE, run_id STRING,
          input_versions STRING, as_of DATE""";
      case UNIT_SEGMENTS -> """
          geo_unit_id STRING, segment_id STRING, segment_name STRING, distance_to_centroid DOUBLE, territory_id STRING,
          potential DOUBLE, opportunity_gap DOUBLE, growth DOUBLE, features MAP<STRING, DOUBLE>, model_version STRING,
          run_id STRING, input_versions STRING, as_of DATE""";
      case SEGMENT_PROFILES -> """
          segment_id STRING, segment_name STRING, units BIGINT, unit_share DOUBLE, potential DOUBLE, opportunity_gap
          DOUBLE, opportunity_share DOUBLE, feature STRING, weight DOUBLE, segment_mean DOUBLE, region_mean DOUBLE,
          index_vs_region DOUBLE, z_vs_region DOUBLE, is_previous_match BOOLEAN, k INT, silhouette DOUBLE,
          silhouette_curve STRING, algorithm STRING, model_version STRING, run_id STRING, input_versions STRING, as_of
          DATE""";
      case CAMPAIGN_TARGETS -> """
          territory_id STRING, segment_id STRING, segment_name STRING, rank INT, geo_unit_id STRING, zip STRING,
          dealer_id STRING, potential DOUBLE, opportunity_gap DOUBLE, reason STRING, model_version STRING, run_id
          STRING, input_versions STRING, as_of DATE""";
      case CRM_ASSIGNMENTS -> """
          geo_unit_id STRING, zip STRING, territory_id STRING, owner STRING, dealer_id STRING, segment_id STRING,
          segment_name STRING, change_type STRING, changed_fields STRING, previous_territory_id STRING, previous_owner
          STRING, previous_dealer_id STRING, previous_segment_id STRING, previous_as_of DATE, model_version STRING,
          run_id STRING, input_versions STRING, as_of DATE""";
      case DQ_RESULTS -> """
          run_id STRING, stage STRING, table_name STRING, check_name STRING, severity STRING, observed DOUBLE,
          threshold STRING, status STRING, detail STRING, checked_at TIMESTAMP, as_of DATE""";
      case INGEST_RECONCILIATION -> """
          source STRING, source_file STRING, rows_read BIGINT, rows_accepted BIGINT, rows_quarantined BIGINT,
          rows_excluded BIGINT, excluded_reason STRING, run_id STRING, ingested_at TIMESTAMP, as_of DATE""";
      case JOB_RUNS -> """
          run_id STRING, job STRING, status STRING, event_time TIMESTAMP, started_at TIMESTAMP, ended_at
          TIMESTAMP, parameters STRING, rows_read MAP<STRING, BIGINT>, rows_written MAP<STRING, BIGINT>,
          versions_read MAP<STRING, BIGINT>, versions_written MAP<STRING, BIGINT>, error STRING, as_of DATE""";
      case MODEL_METRICS -> """
          origin DATE, horizon INT, level STRING, method STRING, split STRING, wape DOUBLE, mape DOUBLE, mase DOUBLE,
          bias DOUBLE, abs_error_sum DOUBLE, actual_sum DOUBLE, forecast_sum DOUBLE, n_series BIGINT, coverage_80 DOUBLE,
          coverage_95 DOUBLE, train_start DATE,
          train_end DATE, published_method STRING, is_held_out_fallback BOOLEAN, published_reconciliation STRING, feature_list STRING, scope STRING, model_version STRING,
          run_id STRING, input_versions STRING, as_of DATE""";
      case PLANTED_TRUTHS -> """
          truth STRING, subject_id STRING, value DOUBLE, description STRING, run_id STRING, as_of DATE""";
      case QUARANTINE -> """
          source STRING, source_file STRING, source_row BIGINT, raw_record STRING, reason STRING, run_id
          STRING, ingested_at TIMESTAMP, as_of DATE""";
      case DEALERS_LOCATED -> """
          dealer_id STRING, name STRING, brand STRING, longitude DOUBLE, latitude DOUBLE, open_date DATE,
          close_date DATE, source_file STRING, source_row BIGINT, geo_unit_id STRING, county_id STRING,
          locate_level STRING, located_by STRING, locate_method STRING, unlocated_reason STRING, matched_units INT,
          distance_to_unit_km DOUBLE, has_code_mismatch BOOLEAN, run_id STRING, as_of DATE""";
      case GEO_UNITS_SILVER -> """
          geo_unit_id STRING, level STRING, name STRING, parent_id STRING, county_id STRING, state_id STRING,
          geometry BINARY, area_km2 DOUBLE, centroid_lon DOUBLE, centroid_lat DOUBLE, min_lon DOUBLE, max_lon
          DOUBLE, min_lat DOUBLE, max_lat DOUBLE, is_repaired BOOLEAN, run_id STRING, as_of DATE""";
      case REGISTRATIONS_LOCATED -> """
          registration_id STRING, registration_date DATE, make STRING, model STRING, model_year INT, segment
          STRING, fuel_type STRING, sale_type STRING, longitude DOUBLE, latitude DOUBLE, source_geo_unit_id
          STRING, zip STRING, county STRING, selling_dealer_id STRING, vin_prefix STRING, source_file STRING,
          source_row BIGINT, geo_unit_id STRING, county_id STRING, locate_level STRING, located_by STRING, locate_method STRING,
          unlocated_reason STRING, matched_units INT, distance_to_unit_km DOUBLE, has_code_mismatch BOOLEAN, run_id STRING, as_of DATE""";
      case SALES_LOCATED -> """
          sale_id STRING, dealer_id STRING, sale_date DATE, make STRING, model STRING, segment STRING, price
          DOUBLE, customer_longitude DOUBLE, customer_latitude DOUBLE, customer_zip STRING, customer_name
          STRING, source_file STRING, source_row BIGINT, geo_unit_id STRING, county_id STRING, locate_level
          STRING, located_by STRING, locate_method STRING, unlocated_reason STRING, matched_units INT, distance_to_unit_km
          DOUBLE, has_code_mismatch BOOLEAN, run_id STRING, as_of DATE""";
      case TERRITORY_ASSIGNMENT -> """
          geo_unit_id STRING, level STRING, territory_id STRING, brand STRING, method STRING, dealer_id
          STRING, distance_km DOUBLE, runner_up_dealer_id STRING, runner_up_distance_km DOUBLE,
          is_multiple_dealer_area BOOLEAN, district STRING, region STRING, run_id STRING, as_of DATE""";
      default -> throw new IllegalArgumentException(t + " has no declared schema here (bronze tables: their contract)");
    };
  }
}
