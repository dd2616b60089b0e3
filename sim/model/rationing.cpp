// 6. Rationing (docs/MODEL.md, section 6): the market of a part of the period clears.
//
// Every sub-buyer spreads what is left of its budget over its open options by its logit
// weights. Each option is filled pro rata within the limits it shares (the product's stock,
// the channel's offer, the licence volume cap) and its own (the licence approval share). An
// option filled short is closed and the money not spent on it goes round again, until every
// budget is spent or a sub-buyer has no option left: budget stays unspent only when every
// option open to it is exhausted.
#include <algorithm>
#include <cmath>

#include "model/stages.hpp"

namespace chipsim::model {

void clear(const Structure& st, State& x, bool plan, double length) {
  PartSetup& u = x.part();
  std::copy(u.budget.begin(), u.budget.end(), x.remaining.begin());
  std::fill(x.taken.begin(), x.taken.end(), 0.0);
  // Each sub-buyer's open options, as indices into its buyer's choice set. Only the market
  // clearing records deliveries (for book), and only of sub-buyers with a budget.
  for (int sb = 0; sb < st.SB; ++sb) {
    auto& list = x.open_list[sb];
    list.clear();
    if (u.budget[sb] <= 0) continue;
    list.assign(u.open0[sb].begin(), u.open0[sb].end());
    x.weight_sum[sb] = u.weight_sum0[sb];
    if (!plan) std::ranges::fill(x.delivered.row(sb), 0.0);
  }
  for (int p = 0; p < st.P; ++p) {
    x.avail[p] = plan ? x.plan_cap[p] : x.finished[p];
    x.stock_limited[p] = std::isfinite(x.avail[p]);
  }
  std::copy(u.c_offer.begin(), u.c_offer.end(), x.channel_left.begin());
  // A licence volume cap is a share of last period's shipments to the issuer.
  for (int p = 0; p < st.P; ++p)
    for (int r = 0; r < st.R; ++r) {
      const int issuer = u.fee_issuer(p, r);
      const double cap = u.cap_share(p, r);
      x.licence_left(p, r) =
          issuer == kNone || !std::isfinite(cap) ? kInf : cap * x.sold_to_prev(p, issuer) * length;
    }
  const int R = st.R;
  double* const q_channel = x.q_channel.data();
  double* const q_licence = x.q_licence.data().data();
  double* const q_product = x.q_product.data();
  double* const fill_channel = x.fill_channel.data();
  double* const fill_licence = x.fill_licence.data().data();
  double* const fill_product = x.fill_product.data();
  double* const used_product = x.used_product.data();
  double* const used_channel = x.used_channel.data();
  double* const used_licence = x.used_licence.data().data();
  // Each round spends every budget or closes at least one option of every sub-buyer with
  // money left, so the number of options bounds the rounds; without the rationing mechanism
  // there is one round.
  const int rounds = st.s.mechanisms.rationing ? st.max_choice + 1 : 1;
  for (int round = 0; round < rounds; ++round) {
    std::fill(x.q_channel.begin(), x.q_channel.end(), 0.0);
    x.q_licence.fill(0.0);
    bool any = false;
    char any_stock_limit = 0;  // some open option's product is limited by its stock
    const char* limited = x.stock_limited.data();
    for (int sb = 0; sb < st.SB; ++sb) {
      if (x.remaining[sb] <= 0 || x.open_list[sb].empty()) continue;
      x.scale[sb] = x.remaining[sb] / x.weight_sum[sb];  // spread what is left
      any = true;
      const int r = st.buyer_region[sb / kSegments];
      const Option* cand = st.options_of(sb / kSegments).data();
      const double scale = x.scale[sb];
      const double* wpp = u.weight_per_price.row(sb).data();
      for (int i : x.open_list[sb]) {
        const Option& k = cand[i];
        const double q = scale * wpp[i];
        q_channel[k.c] += q;
        if (k.licensed) q_licence[k.p * R + r] += q;
        any_stock_limit |= limited[k.p];
      }
    }
    if (!any) break;
    // The leakage channels' price signal: what was asked of them at the period's prices.
    if (round == 0 && !plan)
      for (int c = 0; c < st.C; ++c)
        x.c_demand[c] += q_channel[c];
    // Every option gets the same fill factor from each limit it shares (pro rata). The
    // channel and licence limits come first: a product's stock is shared among what the
    // channels and licences can carry (an order a channel cannot carry takes no stock), so
    // each option receives q x g x f_p with g its channel and licence fill and f_p its
    // product's fill on those carried quantities. The room used is subtracted after the
    // round.
    for (int c = 0; c < st.C; ++c)
      fill_channel[c] = q_channel[c] > 0 ? std::min(1.0, x.channel_left[c] / q_channel[c]) : 1.0;
    for (int p = 0; p < st.P; ++p)
      for (int r = 0; r < R; ++r) {
        const double q = q_licence[p * R + r];
        fill_licence[p * R + r] =
            q > 0 ? std::min(u.approval(p, r), x.licence_left(p, r) / q) : u.approval(p, r);
      }
    auto carried = [&](const Option& k, int r) {
      double g = fill_channel[k.c];
      if (k.licensed) g = std::min(g, fill_licence[k.p * R + r]);
      return std::max(0.0, g);
    };
    std::fill(x.fill_product.begin(), x.fill_product.end(), 1.0);
    if (any_stock_limit) {
      std::fill(x.q_product.begin(), x.q_product.end(), 0.0);
      for (int sb = 0; sb < st.SB; ++sb) {
        if (x.remaining[sb] <= 0 || x.open_list[sb].empty()) continue;
        const int r = st.buyer_region[sb / kSegments];
        const Option* cand = st.options_of(sb / kSegments).data();
        const double scale = x.scale[sb];
        const double* wpp = u.weight_per_price.row(sb).data();
        for (int i : x.open_list[sb]) {
          const Option& k = cand[i];
          if (limited[k.p]) q_product[k.p] += scale * wpp[i] * carried(k, r);
        }
      }
      for (int p = 0; p < st.P; ++p)
        if (q_product[p] > 0) fill_product[p] = std::min(1.0, x.avail[p] / q_product[p]);
    }
    std::fill(x.used_product.begin(), x.used_product.end(), 0.0);
    std::fill(x.used_channel.begin(), x.used_channel.end(), 0.0);
    x.used_licence.fill(0.0);
    for (int sb = 0; sb < st.SB; ++sb) {
      auto& list = x.open_list[sb];
      if (x.remaining[sb] <= 0 || list.empty()) continue;
      const int r = st.buyer_region[sb / kSegments];
      const Option* cand = st.options_of(sb / kSegments).data();
      const double scale = x.scale[sb];
      const double* wpp = u.weight_per_price.row(sb).data();
      double* got = plan ? nullptr : x.delivered.row(sb).data();
      const double* paid = u.pb.row(r).data();
      const double* w = u.weight.row(sb).data();
      double spent = 0, z = 0;
      std::size_t kept = 0;
      for (int i : list) {
        const Option& k = cand[i];
        const double f = carried(k, r) * fill_product[k.p];
        const double d = scale * wpp[i] * f;
        if (got) got[i] += d;
        used_product[k.p] += d;
        used_channel[k.c] += d;
        if (k.licensed) used_licence[k.p * R + r] += d;
        spent += d * paid[k.o];
        if (f >= 1 - 1e-9) {  // else closed: re-offer the rest elsewhere
          list[kept++] = i;
          z += w[i];  // the sum the next round spreads over, in the list's order
        }
      }
      list.resize(kept);
      x.weight_sum[sb] = z;
      x.remaining[sb] = std::max(0.0, x.remaining[sb] - spent);
      // Rounding residue is not budget: a sub-buyer that spent all but 1e-9 of its budget
      // is done (and skipped by later rounds).
      if (x.remaining[sb] <= 1e-9 * u.budget[sb]) x.remaining[sb] = 0;
    }
    for (int p = 0; p < st.P; ++p) {
      x.avail[p] = std::max(0.0, x.avail[p] - used_product[p]);
      x.taken[p] += used_product[p];
    }
    for (int c = 0; c < st.C; ++c)
      x.channel_left[c] = std::max(0.0, x.channel_left[c] - used_channel[c]);
    for (int p = 0; p < st.P; ++p)
      for (int r = 0; r < R; ++r)
        x.licence_left(p, r) = std::max(0.0, x.licence_left(p, r) - used_licence[p * R + r]);
  }
}

}  // namespace chipsim::model
