package org.territorypotential.market;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.territorypotential.geo.Territories;

/**
 * Selling dealer x customer territory (the cross-sell matrix) and per dealer pump-in, pump-out
 * and retention (docs/market.md). A brand's sales come from the sales input when it has rows of
 * that brand, else from its registrations' selling_dealer_id. Pure transforms.
 */
public final class CrossSell {
  private CrossSell() {}

  public static final String FROM_SALES = "sales";
  public static final String FROM_REGISTRATIONS = "registrations";

  /**
   * One row per sale in the window: source, brand, selling_dealer_id (null when unknown),
   * customer_geo_unit_id (null when unlocated). {@code sales} (may be null: no sales input) are
   * sales_located rows; {@code regs} are the window's registrations after the retail filter,
   * used for brands with no sales rows.
   */
  public static Dataset<Row> salesInWindow(Dataset<Row> sales, Dataset<Row> regs, LocalDate start, LocalDate end) {
    Dataset<Row> fromRegs = regs.select(lit(FROM_REGISTRATIONS).as("source"), col("make").as("brand"),
        col("selling_dealer_id"), col("geo_unit_id").as("customer_geo_unit_id"));
    if (sales == null) {
      return fromRegs;
    }
    Dataset<Row> s = sales.where(col("sale_date").geq(lit(Date.valueOf(start))).and(col("sale_date").leq(lit(Date.valueOf(end)))))
        .select(lit(FROM_SALES).as("source"), upper(col("make")).as("brand"), col("dealer_id").as("selling_dealer_id"),
            col("geo_unit_id").as("customer_geo_unit_id"));
    Dataset<Row> brandsWithSales = sales.select(upper(col("make")).as("brand")).distinct();
    return s.unionByName(fromRegs.join(broadcast(brandsWithSales), new String[] {"brand"}, "left_anti"));
  }

  /**
   * The matrix: sales per source x brand x selling dealer x customer territory (the PMA of the
   * brand containing the customer's unit) with the flags is_without_selling_dealer,
   * is_customer_unlocated, is_retained (seller = the PMA's dealer) and is_selling_dealer_open.
   */
  public static Dataset<Row> matrix(Dataset<Row> salesInWindow, Dataset<Row> assignment, Dataset<Row> openDealers) {
    Dataset<Row> pma = assignment.where(col("method").equalTo(Territories.PMA))
        .select(col("geo_unit_id").as("_p_unit"), col("brand").as("_p_brand"), col("territory_id").as("customer_territory_id"),
            col("dealer_id").as("customer_dealer_id"));
    Dataset<Row> open = openDealers.select(col("dealer_id").as("_o_dealer"));
    Dataset<Row> j = salesInWindow.join(pma, salesInWindow.col("customer_geo_unit_id").equalTo(pma.col("_p_unit"))
        .and(salesInWindow.col("brand").equalTo(pma.col("_p_brand"))), "left");
    j = j.join(broadcast(open), j.col("selling_dealer_id").equalTo(open.col("_o_dealer")), "left");
    return j.groupBy(col("source"), col("brand"), col("selling_dealer_id"), col("customer_territory_id"),
            col("customer_dealer_id"), col("selling_dealer_id").isNull().as("is_without_selling_dealer"),
            col("customer_geo_unit_id").isNull().as("is_customer_unlocated"),
            coalesce(col("selling_dealer_id").equalTo(col("customer_dealer_id")), lit(false)).as("is_retained"),
            col("_o_dealer").isNotNull().as("is_selling_dealer_open"))
        .agg(count(lit(1)).as("sales"))
        .select("source", "brand", "selling_dealer_id", "customer_territory_id", "customer_dealer_id", "sales",
            "is_without_selling_dealer", "is_customer_unlocated", "is_retained", "is_selling_dealer_open");
  }

  /**
   * Per measured dealer (dealer_id, brand): cross_sell_source, own_sales (sold by d),
   * retained_sales (sold by d to customers in its PMA), pump_out (sold by d to located customers
   * outside its PMA), own_sales_customer_unlocated, pump_in (sold by other dealers to customers
   * in d's PMA), unattributed_sales_in_pma (no selling dealer, customer in d's PMA) and
   * retention = retained / (retained + pump_in), null when both are 0.
   */
  public static Dataset<Row> perDealer(Dataset<Row> matrix, Dataset<Row> dealers) {
    Column seller = col("selling_dealer_id");
    Column owner = col("customer_dealer_id");
    Dataset<Row> bySeller = matrix.where(seller.isNotNull()).groupBy(seller.as("dealer_id")).agg(
        sum("sales").as("own_sales"),
        sum(when(col("is_retained"), col("sales")).otherwise(0L)).as("retained_sales"),
        sum(when(col("is_customer_unlocated").equalTo(false).and(col("is_retained").equalTo(false)), col("sales")).otherwise(0L))
            .as("pump_out"),
        sum(when(col("is_customer_unlocated"), col("sales")).otherwise(0L)).as("own_sales_customer_unlocated"));
    Dataset<Row> byOwner = matrix.where(owner.isNotNull()).groupBy(owner.as("dealer_id")).agg(
        sum(when(seller.isNotNull().and(seller.notEqual(owner)), col("sales")).otherwise(0L)).as("pump_in"),
        sum(when(seller.isNull(), col("sales")).otherwise(0L)).as("unattributed_sales_in_pma"));
    Dataset<Row> source = matrix.select(col("brand"), col("source").as("cross_sell_source")).distinct();
    Dataset<Row> j = dealers.select("dealer_id", "brand")
        .join(source, new String[] {"brand"}, "left")
        .join(bySeller, new String[] {"dealer_id"}, "left")
        .join(byOwner, new String[] {"dealer_id"}, "left");
    String[] zero = {"own_sales", "retained_sales", "pump_out", "own_sales_customer_unlocated", "pump_in", "unattributed_sales_in_pma"};
    for (String c : zero) {
      j = j.withColumn(c, coalesce(col(c), lit(0L)));
    }
    Column denom = col("retained_sales").plus(col("pump_in"));
    return j.select(col("dealer_id"), col("cross_sell_source"), col("own_sales"), col("retained_sales"), col("pump_out"),
        col("own_sales_customer_unlocated"), col("pump_in"), col("unattributed_sales_in_pma"),
        when(denom.gt(0), col("retained_sales").divide(denom)).as("retention"));
  }
}
