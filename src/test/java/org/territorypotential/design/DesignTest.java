package org.territorypotential.design;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The designer on grids of 1 km cells (no Spark). A 20 x 20 grid of equal units into 4 territories
 * has a perfect answer: 100 units each, one piece each; a 10 x 10 block has Polsby-Popper
 * 4 pi 100 / 40^2 = 0.785, a 20 x 5 strip 4 pi 100 / 50^2 = 0.503, so a mean above 0.6 means blocks
 * rather than strips.
 */
class DesignTest {
  private static double[] ones(int n) {
    double[] a = new double[n];
    Arrays.fill(a, 1.0);
    return a;
  }

  @Test
  void equalUnitsIntoFourTerritoriesGiveBalancedContiguousBlocks() {
    Problem p = Grid.of(20, 20, ones(400), null, 4);
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    Metrics.Summary m = Metrics.of(p, r.territory(), p.current(), r.target());
    assertTrue(r.feasible(), r.notes().toString());
    for (Metrics.Territory t : m.territories()) {
      assertEquals(100, t.units(), "territory " + t.territory() + " units");
      assertEquals(1, t.components(), "territory " + t.territory() + " pieces");
    }
    assertEquals(0.0, m.maxAbsDeviation(), 1e-12);
    assertTrue(m.allContiguous());
    assertTrue(m.meanPolsbyPopper() > 0.6, "mean Polsby-Popper " + m.meanPolsbyPopper());
  }

  @Test
  void skewedLoadFromElongatedStripsEndsBalancedContiguousAndMoreCompact() {
    int rows = 60;
    int cols = 60;
    int k = 12;
    double[] load = Grid.skewedLoad(rows * cols, 7);
    int[] strips = Grid.strips(rows, cols, k);
    Problem p = Grid.of(rows, cols, load, strips, k);
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    Metrics.Summary before = Metrics.of(p, strips, strips, null);
    Metrics.Summary after = Metrics.of(p, r.territory(), strips, r.target());
    assertTrue(r.feasible(), r.notes().toString());
    assertTrue(after.allContiguous());
    assertTrue(after.maxAbsDeviation() <= 0.05, "deviation " + after.maxAbsDeviation());
    assertTrue(after.meanPolsbyPopper() > before.meanPolsbyPopper(),
        after.meanPolsbyPopper() + " vs strips " + before.meanPolsbyPopper());
    assertTrue(after.unitsMoved() > 0);
  }

  @Test
  void thePolsbyPopperPassRaisesCompactnessWithinTheToleranceAndKeepsEveryTerritoryOnePiece() {
    int rows = 60;
    int cols = 60;
    int k = 12;
    int[] strips = Grid.strips(rows, cols, k);
    Problem p = Grid.of(rows, cols, Grid.skewedLoad(rows * cols, 7), strips, k);
    Designer.Params on = Designer.Params.defaults();
    Designer.Params off = new Designer.Params(on.tolerance(), on.compactness(), on.disruptionPenalty(), on.allocationIterations(),
        on.maxPasses(), on.candidates(), on.seed(), 0.0, on.perturbations(), on.treeBudget());
    Designer.Result without = Designer.design(p, off);
    Designer.Result with = Designer.design(p, on);
    Metrics.Summary a = Metrics.of(p, without.territory(), strips, without.target());
    Metrics.Summary b = Metrics.of(p, with.territory(), strips, with.target());
    assertEquals(0, without.movesPolsbyPopper());
    assertTrue(with.movesPolsbyPopper() > 0);
    assertTrue(b.meanPolsbyPopper() > a.meanPolsbyPopper(), b.meanPolsbyPopper() + " with the pass, " + a.meanPolsbyPopper()
        + " without");
    assertTrue(with.feasible(), with.notes().toString());
    assertTrue(b.allContiguous());
    assertTrue(b.maxAbsDeviation() <= 0.05, "deviation " + b.maxAbsDeviation());
  }

  @Test
  void lockedUnitsAndTerritoriesNeverMoveAndNothingJoinsALockedTerritory() {
    int rows = 30;
    int cols = 30;
    int k = 6;
    int n = rows * cols;
    double[] load = Grid.skewedLoad(n, 3);
    int[] cur = Grid.strips(rows, cols, k);
    Problem base = Grid.of(rows, cols, load, cur, k);
    boolean[] lockedUnit = new boolean[n];
    for (int u = 0; u < n; u += 37) {
      lockedUnit[u] = true;
    }
    boolean[] lockedTerr = new boolean[k];
    lockedTerr[2] = true;
    Problem p = new Problem(base.graph(), base.x(), base.y(), load, base.area(), base.perimeter(), new double[n], cur, k,
        lockedUnit, lockedTerr);
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    for (int u = 0; u < n; u++) {
      if (lockedUnit[u] || cur[u] == 2) {
        assertEquals(cur[u], r.territory()[u], "locked unit " + u + " moved");
      } else {
        assertTrue(r.territory()[u] != 2, "unit " + u + " joined locked territory 2");
      }
    }
  }

  @Test
  void infeasibleLocksAreSaid() {
    // territory 0 must keep two locked units in opposite corners of a 10 x 10 grid split in two:
    // it can be one piece only by a path through territory 1's locked column; with that column
    // locked the design cannot be contiguous and says so.
    int rows = 10;
    int cols = 10;
    int n = rows * cols;
    int[] cur = Grid.strips(rows, cols, 2);
    cur[0] = 0;
    cur[n - 1] = 0; // a stray unit of territory 0 in the far corner of territory 1
    Problem base = Grid.of(rows, cols, ones(n), cur, 2);
    boolean[] locked = new boolean[n];
    locked[0] = true;
    locked[n - 1] = true;
    for (int r = 0; r < rows; r++) {
      locked[r * cols + 6] = true; // a wall of territory 1 between them
    }
    Problem p = new Problem(base.graph(), base.x(), base.y(), base.load(), base.area(), base.perimeter(), new double[n],
        cur, 2, locked, new boolean[2]);
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    assertFalse(r.feasible());
    assertTrue(r.notes().stream().anyMatch(s -> s.contains("locked")), r.notes().toString());
    assertEquals(0, r.territory()[0]);
    assertEquals(0, r.territory()[n - 1]);
  }

  @Test
  void aLockedTerritoryFarFromTargetMakesBalanceInfeasibleAndSaysSo() {
    int n = 100;
    int[] cur = Grid.strips(10, 10, 2); // 50 units each
    double[] load = ones(n);
    for (int u = 0; u < n; u++) {
      if (cur[u] == 0) {
        load[u] = 3; // territory 0: 150 of 200 total
      }
    }
    Problem base = Grid.of(10, 10, load, cur, 2);
    boolean[] lt = {true, false};
    Problem p = new Problem(base.graph(), base.x(), base.y(), load, base.area(), base.perimeter(), new double[n], cur, 2,
        new boolean[n], lt);
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    // locked territory keeps its load as target: the free one gets the rest, so this is feasible
    assertTrue(r.feasible(), r.notes().toString());
    assertArrayEquals(cur, r.territory());
    assertEquals(150, r.target()[0], 1e-9);
    assertEquals(50, r.target()[1], 1e-9);
  }

  @Test
  void aMoveThatWouldSplitATerritoryIsRefused() {
    // a 1 x 5 row: territory 0 = units 0..2, territory 1 = units 3..4; unit 1 is territory 0's
    // cut point (removing it leaves 0 and 2 apart), unit 2 is its end.
    Problem p = Grid.of(1, 5, ones(5), new int[] {0, 0, 0, 1, 1}, 2);
    Designer d = designerAt(p, new int[] {0, 0, 0, 1, 1});
    assertFalse(d.canLeave(1, 0), "unit 1 holds territory 0 together");
    assertTrue(d.canLeave(2, 0), "unit 2 is an end");
    // and on a design: territory 0 = a ring around territory 1's single unit, heavy at its cut points
    Problem grid = Grid.of(3, 3, ones(9), new int[] {0, 0, 0, 0, 1, 0, 0, 0, 0}, 2);
    Designer.Result r = Designer.design(grid, Designer.Params.defaults());
    assertTrue(Metrics.of(grid, r.territory(), grid.current(), r.target()).allContiguous());
  }

  @Test
  void anEjectionChainPassesLoadThroughANeighbourOnTarget() {
    // a 1 x 9 row, target 100, tolerance 5: territory 0 = 50 50 10 (110), 1 = 10 80 10 (100),
    // 2 = 10 40 40 (90). Every single move ties or worsens the sum of squared deviations (0 -> 1:
    // 0 + 100 + 100 = 200 as before), so no boundary pass moves; the chain moves unit 2 to
    // territory 1 (110) and unit 5 on to territory 2: 100 each.
    double[] load = {50, 50, 10, 10, 80, 10, 10, 40, 40};
    int[] strips = {0, 0, 0, 1, 1, 1, 2, 2, 2};
    Problem p = Grid.of(1, 9, load, strips, 3);
    Designer d = designerAt(p, strips);
    assertEquals(2, d.balanceMoves());
    assertArrayEquals(new int[] {0, 0, 1, 1, 1, 2, 2, 2, 2}, d.territory());
  }

  @Test
  void aPathMovePassesLoadThroughAnOverTargetNeighbourWhereTheChainsStop() {
    // a 2 x 6 ladder, three 2 x 2 territories, target 21, tolerance 1.05:
    //   row 0:  1  5 |  4  8 |  2  8
    //   row 1:  9  9 |  3  7 |  3  4
    // territory 0 = 24 (+3), 1 = 22 (+1, inside but over), 2 = 17 (-4); 0 and 2 do not touch, so the
    // load must pass through 1. Squared excess beyond the tolerance: 1.95^2 + 2.95^2 = 12.5.
    // The chain from 0 moves unit 1 (5) to 1 (27), whose cheapest next move is unit 8 (3) back to
    // 0 (22 / 24 / 17), then unit 9 (7) to 2: 22 / 17 / 24, 12.5 again, so it is undone (and the
    // other first moves are worse). The path 0 -> 1 -> 2 picks its units together: unit 1 (5) to
    // 1 and unit 9 (7) to 2, 19 / 20 / 24 (0.95^2 + 1.95^2 = 4.7); then the path 2 -> 1 moves unit
    // 4 (2) and a chain brings 0 in (unit 8 to 0, unit 0 to 1): 21 / 20 / 22.
    double[] load = {1, 5, 4, 8, 2, 8, 9, 9, 3, 7, 3, 4};
    int[] strips = Grid.strips(2, 6, 3);
    Problem p = Grid.of(2, 6, load, strips, 3);
    Designer old = designerAt(p, strips);
    assertEquals(0, old.singleMovesAndChains(), "the single moves and the chains find nothing");
    Designer d = designerAt(p, strips);
    assertTrue(d.balanceMoves() > 0);
    int[] after = d.territory();
    assertArrayEquals(new int[] {1, 1, 1, 1, 1, 2, 0, 0, 0, 2, 2, 2}, after);
    Metrics.Summary m = Metrics.of(p, after, strips, null);
    assertTrue(m.allContiguous());
    assertTrue(m.maxAbsDeviation() <= 0.05, "deviation " + m.maxAbsDeviation());
  }

  @Test
  void anExchangeBalancesWhereEveryUnitIsHeavierThanTheGapAndNeverSplitsATerritory() {
    // a 2 x 3 grid, target 20, tolerance 1:
    //   row 0:  7  8 |  6        territory 0 = units 0 1 3 = 22 (+2), territory 1 = units 2 4 5 = 18
    //   row 1:  7 |  6  6
    // every single move shifts 6 to 8 and leaves both further out. Unit 1 (8) and unit 4 (6) swap:
    // 20 / 20, both one piece. The other exchanges that help split a territory: 3 <-> 4 leaves unit
    // 3 alone in territory 1, 1 <-> 2 leaves unit 2 alone in 0. (Here a chain finds the swap too, a
    // move and one back; on bench-design's skewed grids the exchanges fix territories the chains
    // and paths leave outside, docs/design-territories.md.)
    double[] load = {7, 8, 6, 7, 6, 6};
    int[] assign = {0, 0, 1, 0, 1, 1};
    Designer d = designerAt(Grid.of(2, 3, load, assign, 2), assign);
    assertEquals(2, d.exchangeMoves(1.0));
    assertArrayEquals(new int[] {0, 1, 1, 0, 0, 1}, d.territory());
    // a 1 x 6 row, 7 8 7 | 6 6 6: the only pair on the boundary, 2 <-> 3, would bring 22 to 21 but
    // leave each unit cut off from its new territory, so nothing moves
    int[] halves = {0, 0, 0, 1, 1, 1};
    Problem q = Grid.of(1, 6, new double[] {7, 8, 7, 6, 6, 6}, halves, 2);
    Designer c = designerAt(q, halves);
    assertEquals(0, c.exchangeMoves(1.0));
    assertArrayEquals(halves, c.territory());
    c.balanceMoves();
    assertTrue(Metrics.of(q, c.territory(), halves, null).allContiguous());
  }

  @Test
  void aRecombinationSplitsTwoTerritoriesAgainWhereNoMoveOrExchangeHelps() {
    // a 2 x 3 grid, target 13, tolerance 1:
    //   row 0:  2  4 |  6        territory 1 = units 0 1 3 4 = 15 (+2), territory 0 = units 2 5 = 11
    //   row 1:  4  5 |  5
    // no single move and no exchange lowers the squared excess with both territories one piece
    // (checked over every one of them); the rows, 2 4 6 = 12 and 4 5 5 = 14, are within the tolerance.
    // Merged, the six units are split along a spanning tree's cut: the rows, 3 units moved.
    double[] load = {2, 4, 6, 4, 5, 5};
    int[] assign = {1, 1, 0, 1, 1, 0};
    Problem q = Grid.of(2, 3, load, assign, 2);
    Designer d = designerAt(q, assign);
    assertEquals(0, d.exchangeMoves(1.0));
    assertEquals(3, d.recombinationMoves(1.0));
    // the pair (1, 0) has an improving split, so it draws all its trees (for the best-scored split), of 6 units each
    assertEquals(Designer.RECOMBINATION_TREES * 6L, d.treeWork());
    int[] after = d.territory();
    assertTrue(after[0] == after[1] && after[1] == after[2] && after[3] == after[4] && after[4] == after[5]
        && after[0] != after[3], java.util.Arrays.toString(after));
    assertTrue(Metrics.of(q, after, assign, null).allContiguous());
    // the same start with unit 4 (territory 1) locked: of the two orientations of the rows, each
    // moving 3 units, only row 1 -> territory 1 keeps it where it is
    boolean[] locked = new boolean[6];
    locked[4] = true;
    Problem lockedUnit = new Problem(q.graph(), q.x(), q.y(), load, q.area(), q.perimeter(), new double[6], assign, 2,
        locked, new boolean[2]);
    Designer e = designerAt(lockedUnit, assign);
    assertEquals(3, e.recombinationMoves(1.0));
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, e.territory());
    // units 1 and 4 of territory 1 locked, one in each row: no split keeps both in territory 1
    // within the tolerance, so nothing moves
    locked[1] = true;
    Problem twoLocked = new Problem(q.graph(), q.x(), q.y(), load, q.area(), q.perimeter(), new double[6], assign, 2,
        locked, new boolean[2]);
    Designer f = designerAt(twoLocked, assign);
    assertEquals(0, f.recombinationMoves(1.0));
    assertArrayEquals(assign, f.territory());
    // and both pairs, (1, 0) and (0, 1), give up after the first trees without an improving split
    assertEquals(2L * Designer.RECOMBINATION_TREES_TO_FIRST * 6, f.treeWork());
  }

  @Test
  void perturbationsBringInATerritoryTheMovesLeaveOutsideAndOnlyHeavyUnitsKeepOneOut() {
    // bench-design's generator at 2,500 / 125, load sigma 1, seed 8 (a scan of seeds 1-12 at 900 /
    // 45, 1,600 / 80 and 2,500 / 125 found this one where it matters): the moves leave 2 territories
    // outside +-5%; the perturbations (merge two neighbours, split at random, moves again) bring one
    // in. The one left holds a unit heavier than its target plus the tolerance, which no split fixes.
    // The allocation's design alone: Designer.design would keep the matched bisection's here (as
    // balanced, fewer units moved, more compact), as the rebalance test below checks.
    int side = 50;
    int k = 125;
    double[] load = Grid.skewedLoad(side * side, 8);
    int[] current = Grid.voronoi(side, side, k, 9);
    Problem p = Grid.of(side, side, load, current, k);
    Designer.Params on = Designer.Params.defaults();
    Designer.Result without = Designer.designFromAllocation(p, on.withPerturbations(0));
    Designer.Result with = Designer.designFromAllocation(p, on);
    Metrics.Summary a = Metrics.of(p, without.territory(), current, without.target());
    Metrics.Summary b = Metrics.of(p, with.territory(), current, with.target());
    assertEquals(2, a.outside(on.tolerance()), "without perturbations");
    assertEquals(1, b.outside(on.tolerance()), "with perturbations");
    assertTrue(b.allContiguous());
    double[] heaviest = new double[k];
    for (int u = 0; u < p.n(); u++) {
      heaviest[with.territory()[u]] = Math.max(heaviest[with.territory()[u]], load[u]);
    }
    double tolLoad = on.tolerance() * Arrays.stream(with.target()).average().orElseThrow();
    for (Metrics.Territory t : b.territories()) {
      if (Math.abs(t.deviation()) > on.tolerance() + 1e-12) {
        assertTrue(heaviest[t.territory()] > t.target() + tolLoad, "territory " + t.territory() + " outside at "
            + t.deviation() + " without a unit heavier than its target plus the tolerance");
      }
    }
    assertArrayEquals(with.territory(), Designer.designFromAllocation(p, on).territory(), "the perturbations are seeded");
    assertTrue(with.notes().stream().noneMatch(x -> x.contains("tree-budget")), with.notes().toString());
    // a spent tree budget stops the recombinations and perturbations, says so, and the design is still one piece each
    Designer.Result bounded = Designer.designFromAllocation(p, on.withTreeBudget(1));
    assertTrue(bounded.notes().stream().anyMatch(x -> x.contains("stopped at tp.design.tree-budget (1 ")), bounded.notes().toString());
    Metrics.Summary c = Metrics.of(p, bounded.territory(), current, bounded.target());
    assertTrue(c.allContiguous());
    assertTrue(c.outside(on.tolerance()) >= b.outside(on.tolerance()), "budget 1: " + c.outside(on.tolerance()) + " outside");
  }

  @Test
  void everyTreeCutsBoundaryFromOnePassEqualsCountingTheSplitsEdges() {
    // the recombination scores every cut of a tree by its t | s boundary, summed per subtree in one
    // pass over the edges (lowest common ancestors); counting the edges across each split must agree
    int side = 14;
    double[] load = Grid.skewedLoad(side * side, 4);
    int[] assign = new int[side * side];
    for (int u = 0; u < assign.length; u++) {
      assign[u] = (u % side) < side / 2 ? 0 : 1;
    }
    Problem q = Grid.of(side, side, load, assign, 2);
    Designer d = designerAt(q, assign);
    int[][] members = new int[2][];
    for (int t = 0; t < 2; t++) {
      final int tt = t;
      members[t] = java.util.stream.IntStream.range(0, assign.length).filter(u -> assign[u] == tt).toArray();
    }
    Merged mg = Merged.of(d, 0, 1, members);
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    for (int tree = 0; tree < 20; tree++) {
      assertTrue(mg.drawTree(rnd));
      for (int h = 1; h < mg.m; h++) {
        int c = mg.seq[h];
        assertEquals(mg.cutAfter(mg.sideT(c, 0)), mg.cutAfter(c), 1e-9, "tree " + tree + ", cut above " + c);
        assertEquals(mg.cutAfter(mg.sideT(c, 1)), mg.cutAfter(c), 1e-9);
      }
    }
  }

  @Test
  void pathMovesNeitherCrossALockedTerritoryNorMoveALockedUnit() {
    // the ladder above: with territory 1 locked there is no path from 0 to 2 (they do not touch),
    // so nothing moves; with units 3 and 9 (territory 1's side facing 2) locked, they stay in 1
    double[] load = {1, 5, 4, 8, 2, 8, 9, 9, 3, 7, 3, 4};
    int[] strips = Grid.strips(2, 6, 3);
    Problem g = Grid.of(2, 6, load, strips, 3);
    Problem lockedMiddle = new Problem(g.graph(), g.x(), g.y(), load, g.area(), g.perimeter(), new double[12], strips, 3,
        new boolean[12], new boolean[] {false, true, false});
    Designer d = designerAt(lockedMiddle, strips);
    assertEquals(0, d.balanceMoves());
    assertArrayEquals(strips, d.territory());
    boolean[] lockedUnits = new boolean[12];
    lockedUnits[3] = true;
    lockedUnits[9] = true;
    Problem lockedSide = new Problem(g.graph(), g.x(), g.y(), load, g.area(), g.perimeter(), new double[12], strips, 3,
        lockedUnits, new boolean[3]);
    Designer e = designerAt(lockedSide, strips);
    e.balanceMoves();
    assertEquals(1, e.territory()[3]);
    assertEquals(1, e.territory()[9]);
    assertTrue(Metrics.of(lockedSide, e.territory(), strips, null).allContiguous());
  }

  @Test
  void tenThousandSkewedUnitsIntoFiveHundredTerritoriesMeetTheToleranceAndBeatTheCurrentCompactness() {
    // bench-design's 10,000 / 500 at load sigma 0.5 (seed 7): 94 territories were outside +-5% and
    // no single move could fix them (about 20 units a territory, a unit often above the tolerance)
    int side = 100;
    double[] load = Grid.skewedLoad(side * side, 7);
    for (int i = 0; i < load.length; i++) {
      load[i] = Math.sqrt(load[i]);
    }
    int[] current = Grid.voronoi(side, side, 500, 8);
    Problem p = Grid.of(side, side, load, current, 500);
    Designer.Result r = Designer.design(p, Designer.Params.defaults().withDisruptionPenalty(0.5));
    Metrics.Summary before = Metrics.of(p, current, current, r.target());
    Metrics.Summary after = Metrics.of(p, r.territory(), current, r.target());
    assertTrue(r.feasible(), r.notes().toString());
    assertTrue(after.allContiguous());
    assertTrue(after.maxAbsDeviation() <= 0.05 + 1e-12, "deviation " + after.maxAbsDeviation());
    assertTrue(after.meanPolsbyPopper() >= before.meanPolsbyPopper(),
        after.meanPolsbyPopper() + " vs current " + before.meanPolsbyPopper());
  }

  @Test
  void aDesignFromScratchOfClusteredLoadStartsFromABisectionWithinTheToleranceAndOnePieceEach() {
    // 7% of the cells loaded, around six blobs: the shape of the generator's largest region, where the
    // allocation's Voronoi cells started 77% from target and the design took 10,000 moves to balance
    int rows = 50;
    int cols = 80;
    int k = 50;
    Problem p = Grid.of(rows, cols, Grid.clusteredLoad(rows, cols, 0.07, 0.5, 7), null, k);
    Designer seeded = Designer.at(p, Designer.Params.defaults(), new int[rows * cols]);
    assertTrue(seeded.bisect());
    Metrics.Summary seed = Metrics.of(p, seeded.territory(), p.current(), seeded.targetLoads());
    assertTrue(seed.allContiguous(), "every bisection side is one piece");
    assertEquals(k, seed.territories().stream().filter(t -> t.units() > 0).count());
    assertTrue(seed.maxAbsDeviation() < 0.15, "the bisection's largest deviation " + seed.maxAbsDeviation());
    Designer.Result r = Designer.design(p, Designer.Params.defaults());
    Metrics.Summary after = Metrics.of(p, r.territory(), p.current(), r.target());
    assertTrue(r.feasible(), r.notes().toString());
    assertTrue(after.allContiguous());
    assertEquals(0, after.outside(0.05));
    assertEquals(seed.maxAbsDeviation(), r.allocationDeviation(), 1e-12, "the design starts from the bisection");
    // units without a usable perimeter (NaN): the bisection still runs, on the shorter cut
    Problem noPerimeter = Problem.unlocked(p.graph(), p.x(), p.y(), p.load(), p.area(), filledNaN(p.n()), p.current(), k);
    Designer blind = Designer.at(noPerimeter, Designer.Params.defaults(), new int[rows * cols]);
    assertTrue(blind.bisect());
    Metrics.Summary blindSeed = Metrics.of(p, blind.territory(), p.current(), blind.targetLoads());
    assertTrue(blindSeed.allContiguous() && blindSeed.maxAbsDeviation() < 0.15, "without perimeters " + blindSeed.maxAbsDeviation());
    int[] km = Metrics.kMeans(p.x(), p.y(), k, 42L, 50);
    double ppKmeans = Metrics.of(p, km, p.current(), r.target()).meanPolsbyPopper();
    assertTrue(after.meanPolsbyPopper() >= 0.85 * ppKmeans, after.meanPolsbyPopper() + " vs k-means " + ppKmeans);
  }

  @Test
  void aRebalanceTheAllocationCannotBalanceKeepsTheDesignFromABisectionMatchedToTheCurrentTerritories() {
    // clustered load, "current" Voronoi cells blind to it, and no recombinations or perturbations
    // (tree budget 0): from the allocation 17 of 20 territories stay outside +-5%
    int side = 40;
    int k = 20;
    Problem p = Grid.of(side, side, Grid.clusteredLoad(side, side, 0.07, 0.5, 7), Grid.voronoi(side, side, k, 8), k);
    Designer.Params prm = Designer.Params.defaults().withDisruptionPenalty(0.5).withPerturbations(0).withTreeBudget(0);
    Designer.Result r = Designer.design(p, prm);
    Metrics.Summary after = Metrics.of(p, r.territory(), p.current(), r.target());
    assertTrue(after.allContiguous());
    assertTrue(after.outside(0.05) <= 3, after.outside(0.05) + " outside; " + r.notes());
    assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("designed from a bisection matched to the current territories: ")),
        r.notes().toString());
    // the matching: territories numbered at random get back the ids of the current ones they are
    int[] current = p.current();
    int[] shuffled = new int[current.length];
    for (int u = 0; u < current.length; u++) {
      shuffled[u] = (current[u] * 7 + 3) % k; // 7 and 20 coprime: a permutation of the ids
    }
    Designer d = designerAt(p, shuffled);
    d.matchToCurrent();
    assertArrayEquals(current, d.territory());
  }

  private static double[] filledNaN(int n) {
    double[] a = new double[n];
    Arrays.fill(a, Double.NaN);
    return a;
  }

  private static Designer designerAt(Problem p, int[] assign) {
    return Designer.at(p, Designer.Params.defaults(), assign);
  }

  @Test
  void sameSeedSameDesignAndTheSeedMatters() {
    Problem p = Grid.of(40, 40, Grid.skewedLoad(1600, 11), null, 9);
    Designer.Params a = Designer.Params.defaults();
    Designer.Result r1 = Designer.design(p, a);
    Designer.Result r2 = Designer.design(p, a);
    assertArrayEquals(r1.territory(), r2.territory());
    Designer.Params b = new Designer.Params(a.tolerance(), a.compactness(), a.disruptionPenalty(), a.allocationIterations(), a.maxPasses(),
        a.candidates(), a.seed() + 1, a.polsbyPopperMinGain(), a.perturbations(), a.treeBudget());
    assertFalse(Arrays.equals(r1.territory(), Designer.design(p, b).territory()), "the seed changes the bisection's trees");
  }

  @Test
  void aDisruptionPenaltyMovesFewerUnitsFromTheCurrentTerritories() {
    int rows = 40;
    int cols = 40;
    int k = 8;
    int[] strips = Grid.strips(rows, cols, k);
    Problem p = Grid.of(rows, cols, Grid.skewedLoad(rows * cols, 5), strips, k);
    Designer.Params free = Designer.Params.defaults();
    Designer.Params sticky = free.withDisruptionPenalty(2.0);
    int movedFree = Metrics.of(p, Designer.design(p, free).territory(), strips, null).unitsMoved();
    Designer.Result r = Designer.design(p, sticky);
    Metrics.Summary m = Metrics.of(p, r.territory(), strips, r.target());
    assertTrue(m.unitsMoved() < movedFree, m.unitsMoved() + " moved with the penalty, " + movedFree + " without");
    assertTrue(m.allContiguous());
    assertTrue(m.maxAbsDeviation() <= 0.05, "deviation " + m.maxAbsDeviation());
  }

  @Test
  void islandsAreBridgedToTheNearestUnitAndNamed() {
    // units 0-1-2 in a row, unit 3 alone at (10, 0): bridged to unit 2 at (2, 0)
    UnitGraph g = UnitGraph.of(4, List.of(new UnitGraph.Edge(0, 1, 1), new UnitGraph.Edge(1, 2, 1)));
    UnitGraph.Bridged b = g.bridgeIslands(new double[] {0, 1, 2, 10}, new double[] {0, 0, 0, 0});
    assertEquals(List.of(new UnitGraph.Bridge(3, 2, 8.0)), b.bridges());
    assertEquals(1, Arrays.stream(b.graph().components()).max().getAsInt() + 1);
    assertEquals(3, b.graph().edgeCount());
  }

  /** Great-circle km on the sphere of {@link DesignJob#EARTH_RADIUS_KM} (haversine). */
  private static double greatCircleKm(double lon1, double lat1, double lon2, double lat2) {
    double dp = Math.toRadians(lat2 - lat1);
    double dl = Math.toRadians(lon2 - lon1);
    double h = Math.pow(Math.sin(dp / 2), 2)
        + Math.cos(Math.toRadians(lat1)) * Math.cos(Math.toRadians(lat2)) * Math.pow(Math.sin(dl / 2), 2);
    return 2 * DesignJob.EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
  }

  @Test
  void theDesignsKmAreGreatCircleKmAcrossWashington() {
    // Washington's corners and Seattle: the projected distance between any two is within 0.1% of the
    // great-circle distance (the equirectangular projection it replaced erred by up to 3.5% east-west)
    double[] lon = {-124.7, -117.0, -124.7, -117.0, -122.33, -120.5};
    double[] lat = {45.55, 45.55, 49.0, 49.0, 47.61, 47.3};
    double[][] xy = DesignJob.project(lon, lat);
    for (int i = 0; i < lon.length; i++) {
      for (int j = i + 1; j < lon.length; j++) {
        double gc = greatCircleKm(lon[i], lat[i], lon[j], lat[j]);
        double planar = Math.hypot(xy[0][i] - xy[0][j], xy[1][i] - xy[1][j]);
        assertEquals(gc, planar, 0.001 * gc, "units " + i + " and " + j);
      }
    }
  }
}
