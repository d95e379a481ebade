package org.territorypotential.design;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Two neighbouring territories t and s merged, for a recombination or a perturbation, or any set
 * of units, for the bisection: their units,
 * the edges among them, and one spanning tree at a time drawn on them (a minimum spanning tree
 * under random edge weights) with its breadth-first order and subtree sums. Cutting a tree edge
 * above unit c gives two halves that are each one piece: c's subtree and the rest.
 */
final class Merged {
  private final Designer d;
  final int t;
  final int s;
  final int m;
  final int[] unit;
  final int[][] edges;
  final double[] len;
  final double[] load;
  final boolean[] inT;
  /** Per merged unit: 1 when it is locked in t, 2 when locked in s, 0 when free. */
  final byte[] lockedIn;
  final double cutBefore;
  final double total;
  final int[] parent;
  final int[] seq;
  final double[] sub;
  final int[] subT;
  final int[] size;
  /** Locked units of t, and of s, in each subtree. */
  private final int[] subLockedT;
  private final int[] subLockedS;
  private final int[] treeOff;
  private final int[] treeNbr;
  private final int[] dsu;
  private final int[] order;
  /** Per merged unit: the length of the merged edges with one end in its subtree (the split's t | s boundary). */
  private final double[] cross;
  /** Ancestors 2^j up the tree (binary lifting, for the lowest common ancestor of an edge's ends). */
  private final int[][] up;
  private final int[] depth;
  private final int[] fill;
  private final int[] treeEdge;
  /** True when {@link #cross} holds the current tree's boundaries (computed on first use). */
  private boolean crossed;
  private int totalT;

  private Merged(Designer d, int t, int s, int[] unit, int[][] edges, double[] len, double cutBefore, double total) {
    this.d = d;
    this.t = t;
    this.s = s;
    this.m = unit.length;
    this.unit = unit;
    this.edges = edges;
    this.len = len;
    this.cutBefore = cutBefore;
    this.load = new double[m];
    this.inT = new boolean[m];
    this.lockedIn = new byte[m];
    for (int i = 0; i < m; i++) {
      load[i] = d.p.load()[unit[i]];
      inT[i] = d.terr[unit[i]] == t;
      lockedIn[i] = (byte) (d.p.isFixed(unit[i]) ? (inT[i] ? 1 : 2) : 0);
    }
    this.total = total;
    parent = new int[m];
    seq = new int[m];
    sub = new double[m];
    subT = new int[m];
    size = new int[m];
    subLockedT = new int[m];
    subLockedS = new int[m];
    treeOff = new int[m + 1];
    treeNbr = new int[2 * Math.max(0, m - 1)];
    dsu = new int[m];
    order = new int[edges.length];
    cross = new double[m];
    fill = new int[m];
    treeEdge = new int[Math.max(0, m - 1)];
    depth = new int[m];
    up = new int[Math.max(1, 32 - Integer.numberOfLeadingZeros(Math.max(1, m - 1)))][m];
  }

  /**
   * Two free territories t and s merged; their locked units, if any, stay where they are: a split
   * is allowed only when it keeps each on its territory's side ({@link #keepsLocks}).
   */
  static Merged of(Designer d, int t, int s, int[][] members) {
    int m = members[t].length + members[s].length;
    int[] unit = new int[m];
    System.arraycopy(members[t], 0, unit, 0, members[t].length);
    System.arraycopy(members[s], 0, unit, members[t].length, members[s].length);
    return over(d, t, s, unit, d.loadT[t] + d.loadT[s]);
  }

  /**
   * Any set of units, for the bisection ({@link Designer}'s seed of a design without current
   * territories): no territory is t or s, so every unit is on the "s" side and nothing is locked.
   */
  static Merged ofUnits(Designer d, int[] unit) {
    double total = 0;
    for (int u : unit) {
      total += d.p.load()[u];
    }
    return over(d, -1, -1, unit, total);
  }

  private static Merged over(Designer d, int t, int s, int[] unit, double total) {
    int m = unit.length;
    if (d.local == null) {
      d.local = new int[d.n];
      Arrays.fill(d.local, -1);
    }
    for (int i = 0; i < m; i++) {
      d.local[unit[i]] = i;
    }
    // the units' edges (each once), with their shared boundary length
    List<int[]> edgeList = new ArrayList<>();
    List<Double> lenList = new ArrayList<>();
    double cutBefore = 0;
    UnitGraph g = d.g;
    for (int i = 0; i < m; i++) {
      int u = unit[i];
      for (int e = g.off[u]; e < g.off[u + 1]; e++) {
        int j = d.local[g.nbr[e]];
        if (j > i) {
          edgeList.add(new int[] {i, j});
          lenList.add(g.len[e]);
          if (d.terr[u] != d.terr[g.nbr[e]]) {
            cutBefore += g.len[e];
          }
        }
      }
    }
    for (int u : unit) {
      d.local[u] = -1;
    }
    return new Merged(d, t, s, unit, edgeList.toArray(new int[0][]),
        lenList.stream().mapToDouble(Double::doubleValue).toArray(), cutBefore, total);
  }

  /** Draws the next spanning tree and its subtree sums; false when the merged units are not one piece. */
  boolean drawTree(SplittableRandom rnd) {
    int ne = edges.length;
    for (int e = 0; e < ne; e++) {
      order[e] = e;
    }
    for (int e = ne - 1; e > 0; e--) { // a uniform random order: Kruskal on it = a minimum spanning tree under iid weights
      int j = rnd.nextInt(e + 1);
      int x = order[e];
      order[e] = order[j];
      order[j] = x;
    }
    return spanningTree();
  }

  /** The minimum spanning tree under the given weights (one per merged edge, >= 0; ties by edge index); false when not one piece. */
  boolean drawTree(double[] weight) {
    int ne = edges.length;
    long[] key = new long[ne];
    for (int e = 0; e < ne; e++) { // a non-negative float's bits sort as the float does
      key[e] = ((long) Float.floatToIntBits((float) weight[e]) << 32) | e;
    }
    Arrays.sort(key);
    for (int e = 0; e < ne; e++) {
      order[e] = (int) key[e];
    }
    return spanningTree();
  }

  /** Kruskal on {@link #order}, then the tree's breadth-first order and subtree sums. */
  private boolean spanningTree() {
    d.treeWork += m;
    int ne = edges.length;
    for (int i = 0; i < m; i++) {
      dsu[i] = i;
    }
    int[] deg = fill;
    Arrays.fill(deg, 0);
    int treeEdges = 0;
    for (int x = 0; x < ne && treeEdges < m - 1; x++) {
      int e = order[x];
      int a = Designer.find(dsu, edges[e][0]);
      int b = Designer.find(dsu, edges[e][1]);
      if (a != b) {
        dsu[a] = b;
        treeEdge[treeEdges++] = e;
        deg[edges[e][0]]++;
        deg[edges[e][1]]++;
      }
    }
    if (treeEdges != m - 1) {
      return false;
    }
    treeOff[0] = 0;
    for (int i = 0; i < m; i++) {
      treeOff[i + 1] = treeOff[i] + deg[i];
    }
    System.arraycopy(treeOff, 0, fill, 0, m);
    for (int x = 0; x < treeEdges; x++) {
      int[] e = edges[treeEdge[x]];
      treeNbr[fill[e[0]]++] = e[1];
      treeNbr[fill[e[1]]++] = e[0];
    }
    // breadth-first order from unit 0 (parents before children); subtree sums bottom-up, in reverse
    Arrays.fill(parent, -2);
    parent[0] = -1;
    int tl = 0;
    seq[tl++] = 0;
    for (int h = 0; h < tl; h++) {
      int v = seq[h];
      for (int x = treeOff[v]; x < treeOff[v + 1]; x++) {
        int w = treeNbr[x];
        if (parent[w] == -2) {
          parent[w] = v;
          seq[tl++] = w;
        }
      }
    }
    for (int i = 0; i < m; i++) {
      sub[i] = load[i];
      subT[i] = inT[i] ? 1 : 0;
      size[i] = 1;
      subLockedT[i] = lockedIn[i] == 1 ? 1 : 0;
      subLockedS[i] = lockedIn[i] == 2 ? 1 : 0;
    }
    crossed = false;
    for (int h = m - 1; h > 0; h--) {
      int v = seq[h];
      sub[parent[v]] += sub[v];
      subT[parent[v]] += subT[v];
      size[parent[v]] += size[v];
      subLockedT[parent[v]] += subLockedT[v];
      subLockedS[parent[v]] += subLockedS[v];
    }
    totalT = subT[0];
    return true;
  }

  /**
   * Fills {@link #cross} for the current tree: each merged edge (a, b) adds its length at a and at
   * b and takes twice its length off at their lowest common ancestor, and the sums over each
   * subtree (bottom-up) count exactly the edges with one end inside it: the boundary the cut above
   * its root makes, for every cut of the tree in one pass over the edges instead of one pass per
   * cut (which made the recombination quadratic in the pair's units).
   */
  private void crossings() {
    int levels = up.length;
    for (int h = 0; h < m; h++) {
      int v = seq[h];
      int pv = parent[v] < 0 ? v : parent[v];
      depth[v] = parent[v] < 0 ? 0 : depth[pv] + 1;
      up[0][v] = pv;
      for (int j = 1; j < levels; j++) {
        up[j][v] = up[j - 1][up[j - 1][v]]; // ancestors come earlier in the breadth-first order
      }
      cross[v] = 0;
    }
    for (int e = 0; e < edges.length; e++) {
      int a = edges[e][0];
      int b = edges[e][1];
      cross[a] += len[e];
      cross[b] += len[e];
      cross[lca(a, b)] -= 2 * len[e];
    }
    for (int h = m - 1; h > 0; h--) {
      cross[parent[seq[h]]] += cross[seq[h]];
    }
    crossed = true;
  }

  private int lca(int a, int b) {
    if (depth[a] < depth[b]) {
      int x = a;
      a = b;
      b = x;
    }
    for (int j = up.length - 1; j >= 0; j--) {
      if (depth[a] - (1 << j) >= depth[b]) {
        a = up[j][a];
      }
    }
    if (a == b) {
      return a;
    }
    for (int j = up.length - 1; j >= 0; j--) {
      if (up[j][a] != up[j][b]) {
        a = up[j][a];
        b = up[j][b];
      }
    }
    return up[0][a];
  }

  /** The t | s boundary length after the cut above c (either side). */
  double cutAfter(int c) {
    if (!crossed) {
      crossings();
    }
    return cross[c];
  }

  /** t's load after the cut above c: side 0 gives c's subtree to t and the rest to s, side 1 the other way round. */
  double loadT(int c, int side) {
    return side == 0 ? sub[c] : total - sub[c];
  }

  /** True when the cut above c on that side leaves every locked unit in its own territory. */
  boolean keepsLocks(int c, int side) {
    return side == 0 ? subLockedS[c] == 0 && subLockedT[c] == subLockedT[0]
        : subLockedT[c] == 0 && subLockedS[c] == subLockedS[0];
  }

  /** Units that change territory with the cut above c on that side. */
  int moved(int c, int side) {
    return side == 0 ? (size[c] - subT[c]) + (totalT - subT[c]) : subT[c] + ((m - size[c]) - (totalT - subT[c]));
  }

  /** Per merged unit: true when it goes to t with the cut above c on that side. */
  boolean[] sideT(int c, int side) {
    boolean[] half = new boolean[m];
    java.util.ArrayDeque<Integer> stack = new java.util.ArrayDeque<>();
    stack.push(c);
    while (!stack.isEmpty()) { // c and every unit below it
      int v = stack.pop();
      half[v] = true;
      for (int x = treeOff[v]; x < treeOff[v + 1]; x++) {
        int w = treeNbr[x];
        if (parent[w] == v) {
          stack.push(w);
        }
      }
    }
    if (side == 1) {
      for (int i = 0; i < m; i++) {
        half[i] = !half[i];
      }
    }
    return half;
  }

  /** The t | s boundary length after a split, edge by edge (the tests' reference for {@link #cutAfter(int)}). */
  double cutAfter(boolean[] sideT) {
    double cut = 0;
    for (int e = 0; e < edges.length; e++) {
      if (sideT[edges[e][0]] != sideT[edges[e][1]]) {
        cut += len[e];
      }
    }
    return cut;
  }

  /** Makes the split; the units moved. */
  int apply(boolean[] sideT) {
    int moved = 0;
    for (int i = 0; i < m; i++) {
      int want = sideT[i] ? t : s;
      int from = d.terr[unit[i]];
      if (from != want) {
        d.apply(unit[i], from, want);
        moved++;
      }
    }
    return moved;
  }
}
