// The recurrent LIF recurrence over a whole sequence, forward and backward through time, in C++.
// Tensors are [time, batch, hidden], contiguous, on the CPU; the recurrent weight is [hidden, hidden]
// or empty (no recurrence). The recurrent products call at::mm, the very routine torch.mm calls, and
// every other operation is rounded separately in the order of snn_helpers/recurrent.py's torch-ops
// path (built with -ffp-contract=off, so no multiply-add is fused): the same results to the last bit.
// Built and loaded by snn_helpers/recurrent_kernel.py; snn_helpers/recurrent.py falls back to torch ops.
#include <torch/extension.h>
#include <ATen/Parallel.h>

#include <vector>

namespace {
constexpr int64_t kGrain = 4096;
}

std::vector<at::Tensor> forward(const at::Tensor& current, const at::Tensor& weight, double beta,
                                double threshold, bool zero_reset) {
  TORCH_CHECK(current.dim() == 3 && current.is_contiguous() && current.device().is_cpu(),
              "current: contiguous CPU tensor [time, batch, hidden]");
  const bool has_w = weight.numel() > 0;
  TORCH_CHECK(!has_w || weight.is_contiguous(), "weight: contiguous");
  const int64_t T = current.size(0);
  const int64_t N = current.size(1) * current.size(2);
  at::Tensor v_all = at::empty_like(current);
  at::Tensor s_all = at::empty_like(current);
  at::Tensor rec = at::empty({current.size(1), current.size(2)}, current.options());
  const at::Tensor w_t = has_w ? weight.t() : weight;
  AT_DISPATCH_FLOATING_TYPES(current.scalar_type(), "recurrent_forward", [&] {
    const scalar_t* I = current.data_ptr<scalar_t>();
    scalar_t* V = v_all.data_ptr<scalar_t>();
    scalar_t* S = s_all.data_ptr<scalar_t>();
    const scalar_t* R = rec.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    for (int64_t n = 0; n < N; ++n) {
      V[n] = I[n];
      S[n] = V[n] > th ? scalar_t(1) : scalar_t(0);
    }
    for (int64_t t = 1; t < T; ++t) {
      if (has_w) at::mm_out(rec, s_all[t - 1], w_t);
      const scalar_t* It = I + t * N;
      const scalar_t* Vp = V + (t - 1) * N;
      const scalar_t* Sp = S + (t - 1) * N;
      scalar_t* Vt = V + t * N;
      scalar_t* St = S + t * N;
      at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
          scalar_t v = zero_reset ? (b * Vp[n]) * (scalar_t(1) - Sp[n]) + It[n] : b * (Vp[n] - th * Sp[n]) + It[n];
          if (has_w) v = v + R[n];
          Vt[n] = v;
          St[n] = v > th ? scalar_t(1) : scalar_t(0);
        }
      });
    }
  });
  return {s_all, v_all};
}

template <typename scalar_t, bool ZERO, bool DETACH>
void backward_step(const scalar_t* V, const scalar_t* GS, const scalar_t* GV, const scalar_t* G,
                   const scalar_t* M, const scalar_t* A_next, scalar_t* A, scalar_t b, scalar_t th,
                   int64_t n0, int64_t n1) {
  for (int64_t n = n0; n < n1; ++n) {
    const scalar_t v = V[n];
    const scalar_t g = G[n];
    scalar_t gs = GS != nullptr ? GS[n] : scalar_t(0);
    scalar_t a;
    if (A_next == nullptr) {
      a = gs * g;
    } else {
      const scalar_t a_next = A_next[n];
      if (!DETACH) gs = ZERO ? gs - a_next * (v * b) : gs - (a_next * b) * th;
      if (M != nullptr) gs = gs + M[n];
      const scalar_t keep_beta = ZERO ? (scalar_t(1) - (v > th ? scalar_t(1) : scalar_t(0))) * b : b;
      a = a_next * keep_beta;
      a = a + gs * g;
    }
    if (GV != nullptr) a = a + GV[n];
    A[n] = a;
  }
}

// weight, grad_spikes and grad_membrane may be empty (numel 0): no recurrence / no gradient there.
at::Tensor backward(const at::Tensor& v_all, const at::Tensor& weight, const at::Tensor& grad_spikes,
                    const at::Tensor& grad_membrane, const at::Tensor& g_all, double beta, double threshold,
                    bool zero_reset, bool detach_reset) {
  TORCH_CHECK(v_all.dim() == 3 && v_all.is_contiguous() && v_all.device().is_cpu(),
              "v_all: contiguous CPU tensor [time, batch, hidden]");
  const bool has_w = weight.numel() > 0, has_gs = grad_spikes.numel() > 0, has_gv = grad_membrane.numel() > 0;
  TORCH_CHECK(!has_w || weight.is_contiguous(), "weight: contiguous");
  TORCH_CHECK(!has_gs || grad_spikes.is_contiguous(), "grad_spikes: contiguous");
  TORCH_CHECK(!has_gv || grad_membrane.is_contiguous(), "grad_membrane: contiguous");
  TORCH_CHECK(g_all.is_contiguous() && g_all.numel() == v_all.numel(), "g_all: contiguous, shape of v_all");
  const int64_t T = v_all.size(0);
  const int64_t N = v_all.size(1) * v_all.size(2);
  at::Tensor grad = at::empty_like(v_all);
  at::Tensor m = at::empty({v_all.size(1), v_all.size(2)}, v_all.options());
  AT_DISPATCH_FLOATING_TYPES(v_all.scalar_type(), "recurrent_backward", [&] {
    const scalar_t* V = v_all.data_ptr<scalar_t>();
    const scalar_t* GS = has_gs ? grad_spikes.data_ptr<scalar_t>() : nullptr;
    const scalar_t* GV = has_gv ? grad_membrane.data_ptr<scalar_t>() : nullptr;
    const scalar_t* G = g_all.data_ptr<scalar_t>();
    const scalar_t* M = m.data_ptr<scalar_t>();
    scalar_t* A = grad.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    using Fn = void (*)(const scalar_t*, const scalar_t*, const scalar_t*, const scalar_t*, const scalar_t*,
                        const scalar_t*, scalar_t*, scalar_t, scalar_t, int64_t, int64_t);
    static const Fn table[4] = {backward_step<scalar_t, false, false>, backward_step<scalar_t, false, true>,
                                backward_step<scalar_t, true, false>, backward_step<scalar_t, true, true>};
    const Fn fn = table[zero_reset * 2 + detach_reset];
    for (int64_t t = T - 1; t >= 0; --t) {
      const bool last = t == T - 1;
      if (!last && has_w) at::mm_out(m, grad[t + 1], weight);
      const int64_t off = t * N;
      const scalar_t* A_next = last ? nullptr : A + off + N;
      const scalar_t* Mt = (!last && has_w) ? M : nullptr;
      at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) {
        fn(V + off, GS ? GS + off : nullptr, GV ? GV + off : nullptr, G + off, Mt, A_next, A + off, b, th, n0, n1);
      });
    }
  });
  return grad;
}

// The adaptive neurons (notebook 14): a_t = rho a_{t-1} + (1 - rho) s_{t-1}, A_t = theta + beta_a a_t,
// the subtract reset removes A_{t-1}, s_t = v_t > A_t. Returns spikes, membranes and thresholds A.
std::vector<at::Tensor> forward_adaptive(const at::Tensor& current, const at::Tensor& weight, double beta,
                                         double threshold, bool zero_reset, double adapt_decay,
                                         double adapt_strength) {
  TORCH_CHECK(current.dim() == 3 && current.is_contiguous() && current.device().is_cpu(),
              "current: contiguous CPU tensor [time, batch, hidden]");
  const bool has_w = weight.numel() > 0;
  TORCH_CHECK(!has_w || weight.is_contiguous(), "weight: contiguous");
  const int64_t T = current.size(0);
  const int64_t N = current.size(1) * current.size(2);
  at::Tensor v_all = at::empty_like(current);
  at::Tensor s_all = at::empty_like(current);
  at::Tensor a_all = at::empty_like(current);
  at::Tensor adapt = at::zeros({current.size(1), current.size(2)}, current.options());
  at::Tensor rec = at::empty({current.size(1), current.size(2)}, current.options());
  const at::Tensor w_t = has_w ? weight.t() : weight;
  AT_DISPATCH_FLOATING_TYPES(current.scalar_type(), "recurrent_forward_adaptive", [&] {
    const scalar_t* I = current.data_ptr<scalar_t>();
    scalar_t* V = v_all.data_ptr<scalar_t>();
    scalar_t* S = s_all.data_ptr<scalar_t>();
    scalar_t* A = a_all.data_ptr<scalar_t>();
    scalar_t* Ad = adapt.data_ptr<scalar_t>();
    const scalar_t* R = rec.data_ptr<scalar_t>();
    const scalar_t th = static_cast<scalar_t>(threshold);
    const scalar_t b = static_cast<scalar_t>(beta);
    const scalar_t rho = static_cast<scalar_t>(adapt_decay);
    const scalar_t rise = static_cast<scalar_t>(1.0 - adapt_decay);  // rounded as torch rounds the scalar
    const scalar_t ba = static_cast<scalar_t>(adapt_strength);
    for (int64_t n = 0; n < N; ++n) {
      A[n] = Ad[n] * ba + th;
      V[n] = I[n];
      S[n] = V[n] > A[n] ? scalar_t(1) : scalar_t(0);
    }
    for (int64_t t = 1; t < T; ++t) {
      if (has_w) at::mm_out(rec, s_all[t - 1], w_t);
      const scalar_t* It = I + t * N;
      const scalar_t* Vp = V + (t - 1) * N;
      const scalar_t* Sp = S + (t - 1) * N;
      const scalar_t* Ap = A + (t - 1) * N;
      scalar_t* Vt = V + t * N;
      scalar_t* St = S + t * N;
      scalar_t* At = A + t * N;
      at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) {
        for (int64_t n = n0; n < n1; ++n) {
          const scalar_t a = Ad[n] * rho + rise * Sp[n];  // rise * s is exact (s is 0 or 1)
          Ad[n] = a;
          const scalar_t thr = a * ba + th;
          At[n] = thr;
          scalar_t v = zero_reset ? (b * Vp[n]) * (scalar_t(1) - Sp[n]) + It[n] : b * (Vp[n] - Ap[n] * Sp[n]) + It[n];
          if (has_w) v = v + R[n];
          Vt[n] = v;
          St[n] = v > thr ? scalar_t(1) : scalar_t(0);
        }
      });
    }
  });
  return {s_all, v_all, a_all};
}

// One step of the adaptive backward: P = dL/dv_t, Q holds dL/da_{t+1} on entry and dL/da_t on exit.
template <typename scalar_t, bool ZERO, bool DETACH>
void backward_adaptive_step(const scalar_t* V, const scalar_t* Th, const scalar_t* GS, const scalar_t* GV,
                            const scalar_t* GA, const scalar_t* G, const scalar_t* M, const scalar_t* P_next,
                            scalar_t* P, scalar_t* Q, scalar_t b, scalar_t rho, scalar_t rise, scalar_t ba,
                            int64_t n0, int64_t n1) {
  for (int64_t n = n0; n < n1; ++n) {
    const scalar_t v = V[n];
    const scalar_t thr = Th[n];
    const scalar_t g = G[n];
    const scalar_t s = v > thr ? scalar_t(1) : scalar_t(0);
    scalar_t sigma = GS != nullptr ? GS[n] : scalar_t(0);
    scalar_t p_next = scalar_t(0);
    if (P_next != nullptr) {
      p_next = P_next[n];
      if (!DETACH) sigma = ZERO ? sigma - p_next * (v * b) : sigma - (p_next * b) * thr;
      if (M != nullptr) sigma = sigma + M[n];
      sigma = sigma + Q[n] * rise;
    }
    const scalar_t sg = sigma * g;
    scalar_t p;
    if (P_next == nullptr) {
      p = sg;
    } else {
      const scalar_t keep_beta = ZERO ? (scalar_t(1) - s) * b : b;
      p = p_next * keep_beta;
      p = p + sg;
    }
    if (GV != nullptr) p = p + GV[n];
    P[n] = p;
    scalar_t r = GA != nullptr ? GA[n] - sg : -sg;
    if (P_next != nullptr && !ZERO) r = r - (p_next * b) * s;
    Q[n] = P_next == nullptr ? r * ba : Q[n] * rho + r * ba;
  }
}

// weight and the gradients on spikes, membranes and thresholds may be empty (numel 0).
at::Tensor backward_adaptive(const at::Tensor& v_all, const at::Tensor& a_all, const at::Tensor& weight,
                             const at::Tensor& grad_spikes, const at::Tensor& grad_membrane,
                             const at::Tensor& grad_threshold, const at::Tensor& g_all, double beta,
                             bool zero_reset, bool detach_reset, double adapt_decay, double adapt_strength) {
  TORCH_CHECK(v_all.dim() == 3 && v_all.is_contiguous() && v_all.device().is_cpu(),
              "v_all: contiguous CPU tensor [time, batch, hidden]");
  TORCH_CHECK(a_all.is_contiguous() && a_all.numel() == v_all.numel(), "a_all: contiguous, shape of v_all");
  const bool has_w = weight.numel() > 0, has_gs = grad_spikes.numel() > 0, has_gv = grad_membrane.numel() > 0;
  const bool has_ga = grad_threshold.numel() > 0;
  TORCH_CHECK(!has_w || weight.is_contiguous(), "weight: contiguous");
  TORCH_CHECK(!has_gs || grad_spikes.is_contiguous(), "grad_spikes: contiguous");
  TORCH_CHECK(!has_gv || grad_membrane.is_contiguous(), "grad_membrane: contiguous");
  TORCH_CHECK(!has_ga || grad_threshold.is_contiguous(), "grad_threshold: contiguous");
  TORCH_CHECK(g_all.is_contiguous() && g_all.numel() == v_all.numel(), "g_all: contiguous, shape of v_all");
  const int64_t T = v_all.size(0);
  const int64_t N = v_all.size(1) * v_all.size(2);
  at::Tensor grad = at::empty_like(v_all);
  at::Tensor q = at::zeros({v_all.size(1), v_all.size(2)}, v_all.options());
  at::Tensor m = at::empty({v_all.size(1), v_all.size(2)}, v_all.options());
  AT_DISPATCH_FLOATING_TYPES(v_all.scalar_type(), "recurrent_backward_adaptive", [&] {
    const scalar_t* V = v_all.data_ptr<scalar_t>();
    const scalar_t* Th = a_all.data_ptr<scalar_t>();
    const scalar_t* GS = has_gs ? grad_spikes.data_ptr<scalar_t>() : nullptr;
    const scalar_t* GV = has_gv ? grad_membrane.data_ptr<scalar_t>() : nullptr;
    const scalar_t* GA = has_ga ? grad_threshold.data_ptr<scalar_t>() : nullptr;
    const scalar_t* G = g_all.data_ptr<scalar_t>();
    const scalar_t* M = m.data_ptr<scalar_t>();
    scalar_t* P = grad.data_ptr<scalar_t>();
    scalar_t* Q = q.data_ptr<scalar_t>();
    const scalar_t b = static_cast<scalar_t>(beta);
    const scalar_t rho = static_cast<scalar_t>(adapt_decay);
    const scalar_t rise = static_cast<scalar_t>(1.0 - adapt_decay);
    const scalar_t ba = static_cast<scalar_t>(adapt_strength);
    using Fn = void (*)(const scalar_t*, const scalar_t*, const scalar_t*, const scalar_t*, const scalar_t*,
                        const scalar_t*, const scalar_t*, const scalar_t*, scalar_t*, scalar_t*, scalar_t,
                        scalar_t, scalar_t, scalar_t, int64_t, int64_t);
    static const Fn table[4] = {
        backward_adaptive_step<scalar_t, false, false>, backward_adaptive_step<scalar_t, false, true>,
        backward_adaptive_step<scalar_t, true, false>, backward_adaptive_step<scalar_t, true, true>};
    const Fn fn = table[zero_reset * 2 + detach_reset];
    for (int64_t t = T - 1; t >= 0; --t) {
      const bool last = t == T - 1;
      if (!last && has_w) at::mm_out(m, grad[t + 1], weight);
      const int64_t off = t * N;
      const scalar_t* P_next = last ? nullptr : P + off + N;
      const scalar_t* Mt = (!last && has_w) ? M : nullptr;
      at::parallel_for(0, N, kGrain, [&](int64_t n0, int64_t n1) {
        fn(V + off, Th + off, GS ? GS + off : nullptr, GV ? GV + off : nullptr, GA ? GA + off : nullptr, G + off,
           Mt, P_next, P + off, Q, b, rho, rise, ba, n0, n1);
      });
    }
  });
  return grad;
}

PYBIND11_MODULE(TORCH_EXTENSION_NAME, m) {
  m.def("forward", &forward, "recurrent LIF forward over [time, batch, hidden]");
  m.def("backward", &backward, "recurrent LIF backward through time over [time, batch, hidden]");
  m.def("forward_adaptive", &forward_adaptive, "adaptive recurrent LIF forward: spikes, membranes, thresholds");
  m.def("backward_adaptive", &backward_adaptive, "adaptive recurrent LIF backward through time");
}
