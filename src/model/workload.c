/* workload: attention shapes, presets and the -w spec parser. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "array.h"
#include "num.h"
#include "workload.h"

#define WL(n, b, h, q, k, d, dv, causal) \
	{ n, b, h, q, k, d, dv, 2, causal }

static const struct wl_preset presets[] = {
	{ "bert-small", "BERT encoder, 8 heads of 64 at S=512 (attention-dataflow literature)",
	  WL("bert-small", 1, 8, 512, 512, 64, 64, false) },
	{ "bert-base", "BERT-Base encoder, 12 heads of 64 at S=512 (Devlin et al. 2019)",
	  WL("bert-base", 1, 12, 512, 512, 64, 64, false) },
	{ "bert-large", "BERT-Large encoder, 16 heads of 64 at S=512 (Devlin et al. 2019)",
	  WL("bert-large", 1, 16, 512, 512, 64, 64, false) },
	{ "vit-b14", "ViT-B/14 at 224 px: 256 patches, 12 heads of 64",
	  WL("vit-b14", 1, 12, 256, 256, 64, 64, false) },
	{ "vit-l14", "ViT-L/14 at 224 px: 256 patches, 16 heads of 64",
	  WL("vit-l14", 1, 16, 256, 256, 64, 64, false) },
	{ "vit-h14", "ViT-H/14 at 224 px: 256 patches, 16 heads of 80",
	  WL("vit-h14", 1, 16, 256, 256, 80, 80, false) },
	{ "vit-b16", "ViT-B/16 at 224 px, 192 tokens as in MAS-Attention's tables, 12 heads of 64",
	  WL("vit-b16", 1, 12, 192, 192, 64, 64, false) },
	{ "vit-l16", "ViT-L/16 at 224 px, 192 tokens, 16 heads of 64",
	  WL("vit-l16", 1, 16, 192, 192, 64, 64, false) },
	{ "vit-h16", "ViT-H/16 at 224 px, 192 tokens, 16 heads of 80",
	  WL("vit-h16", 1, 16, 192, 192, 80, 80, false) },
	{ "trxl", "Transformer-XL as in FLAT (Kao et al. 2023): B=64, S=512, 16 heads of 64",
	  WL("trxl", 64, 16, 512, 512, 64, 64, false) },
	{ "t5", "T5 as in FLAT: B=64, S=512, 8 heads of 64",
	  WL("t5", 64, 8, 512, 512, 64, 64, false) },
	{ "xlm", "XLM as in FLAT: B=64, S=512, 16 heads of 128",
	  WL("xlm", 64, 16, 512, 512, 128, 128, false) },
	{ "llama3-8b", "Llama 3 8B prefill, 32 query heads of 128 at S=4096, causal (KV heads are not shared)",
	  WL("llama3-8b", 1, 32, 4096, 4096, 128, 128, true) },
	{ "sd-unet-64", "Stable Diffusion 1.5 UNet self-attention at 64x64 latents: S=4096, 8 heads of 40",
	  WL("sd-unet-64", 1, 8, 4096, 4096, 40, 40, false) },
	{ "sd-unet-32", "Stable Diffusion 1.5 UNet self-attention at 32x32: S=1024, 8 heads of 80",
	  WL("sd-unet-32", 1, 8, 1024, 1024, 80, 80, false) },
	{ "sd-unet-16", "Stable Diffusion 1.5 UNet self-attention at 16x16: S=256, 8 heads of 160",
	  WL("sd-unet-16", 1, 8, 256, 256, 160, 160, false) },
	{ "sd-unet-8", "Stable Diffusion 1.5 UNet self-attention at 8x8 (mid block): S=64, 8 heads of 160",
	  WL("sd-unet-8", 1, 8, 64, 64, 160, 160, false) },
};

#undef WL

#define NPRESETS ARRAY_LEN(presets)

size_t
wl_preset_count(void)
{
	return NPRESETS;
}

const struct wl_preset *
wl_preset_at(size_t i)
{
	return i < NPRESETS ? &presets[i] : NULL;
}

const struct wl_preset *
wl_preset_find(const char *name)
{
	size_t i;

	for (i = 0; i < NPRESETS; i++)
		if (strcmp(presets[i].name, name) == 0)
			return &presets[i];
	return NULL;
}

/* Spec keys; each sets one or two fields. */
enum { F_B = 1, F_H = 2, F_Q = 4, F_K = 8, F_DQK = 16, F_DV = 32, F_BYTES = 64, F_CAUSAL = 128 };
#define F_SHAPE (F_B | F_H | F_Q | F_K | F_DQK | F_DV)

struct spec_key {
	const char *name;
	unsigned fields;
	uint32_t max;
};

static const struct spec_key spec_keys[] = {
	{ "b", F_B, 65536 },
	{ "h", F_H, 4096 },
	{ "q", F_Q, 16777216 },
	{ "k", F_K, 16777216 },
	{ "s", F_Q | F_K, 16777216 },
	{ "d", F_DQK | F_DV, 4096 },
	{ "dqk", F_DQK, 4096 },
	{ "dv", F_DV, 4096 },
	{ "bytes", F_BYTES, 8 },
	{ "causal", F_CAUSAL, 1 },
};

#define NSPEC ARRAY_LEN(spec_keys)

static const struct spec_key *
spec_key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSPEC; i++)
		if (strlen(spec_keys[i].name) == len && strncmp(spec_keys[i].name, name, len) == 0)
			return &spec_keys[i];
	return NULL;
}

static void
spec_set(struct workload *w, unsigned fields, uint32_t v)
{
	if (fields & F_B) w->batch = v;
	if (fields & F_H) w->heads = v;
	if (fields & F_Q) w->q_len = v;
	if (fields & F_K) w->k_len = v;
	if (fields & F_DQK) w->d_qk = v;
	if (fields & F_DV) w->d_v = v;
	if (fields & F_BYTES) w->elem_bytes = v;
	if (fields & F_CAUSAL) w->causal = v != 0;
}

static int
bad_value(struct errbuf *e, const char *spec, size_t col, const struct spec_key *k,
    const char *val)
{
	if (k->fields & F_CAUSAL)
		return errbuf_set(e, "workload '%s': column %zu: key 'causal': got '%s', "
		    "expected 0, 1, yes, no, true, false, on or off", spec, col, val);
	if (k->fields & F_BYTES)
		return errbuf_set(e, "workload '%s': column %zu: key 'bytes': got '%s', "
		    "expected 1, 2, 4 or 8 (bytes per element)", spec, col, val);
	return errbuf_set(e, "workload '%s': column %zu: key '%s': got '%s', "
	    "expected an integer from 1 to %u", spec, col, k->name, val, (unsigned)k->max);
}

int
wl_parse(const char *spec, struct workload *out, struct errbuf *e)
{
	char item[WL_SPEC_MAX], list[512];
	const struct wl_preset *p;
	const struct spec_key *k;
	struct workload w;
	const char *s = spec, *comma, *eq;
	size_t len, col, i, used;
	unsigned given = 0;
	uint64_t v;
	bool b;

	memset(&w, 0, sizeof w);
	w.elem_bytes = 2;
	if (*spec == '\0')
		return errbuf_set(e, "workload '': expected a preset name or "
		    "b=,h=,q=,k=,d= (see 'mastrace workload list')");
	comma = strchr(s, ',');
	len = comma ? (size_t)(comma - s) : strlen(s);
	if (memchr(s, '=', len) == NULL) {
		snprintf(item, sizeof item, "%.*s", (int)len, s);
		p = wl_preset_find(item);
		if (p == NULL) {
			used = 0;
			list[0] = '\0';
			for (i = 0; i < NPRESETS && used < sizeof list; i++)
				used += (size_t)snprintf(list + used, sizeof list - used, "%s%s",
				    i ? ", " : "", presets[i].name);
			return errbuf_set(e, "workload '%s': unknown preset '%s', expected one of "
			    "%s, or key=value pairs", spec, item, list);
		}
		w = p->wl;
		given = F_SHAPE;
		/* An edited preset is no longer that preset: name it by its spec. */
		if (comma != NULL)
			snprintf(w.name, sizeof w.name, "%s", spec);
		s = comma ? comma + 1 : s + len;
		if (comma && *s == '\0')
			return errbuf_set(e, "workload '%s': column %zu: expected key=value "
			    "after ','", spec, (size_t)(s - spec) + 1);
	} else {
		snprintf(w.name, sizeof w.name, "custom");
	}
	while (*s != '\0') {
		col = (size_t)(s - spec) + 1;
		comma = strchr(s, ',');
		len = comma ? (size_t)(comma - s) : strlen(s);
		eq = memchr(s, '=', len);
		if (eq == NULL || eq == s)
			return errbuf_set(e, "workload '%s': column %zu: expected key=value, "
			    "got '%.*s'", spec, col, (int)len, s);
		k = spec_key_find(s, (size_t)(eq - s));
		if (k == NULL)
			return errbuf_set(e, "workload '%s': column %zu: unknown key '%.*s', "
			    "expected one of b, h, q, k, s, d, dqk, dv, bytes, causal",
			    spec, col, (int)(eq - s), s);
		snprintf(item, sizeof item, "%.*s", (int)(len - (size_t)(eq - s) - 1), eq + 1);
		if (k->fields & F_CAUSAL) {
			if (num_parse_bool(item, &b) != 0)
				return bad_value(e, spec, col, k, item);
			v = b;
		} else if (num_parse_u64(item, &v) != 0 || v < 1 || v > k->max ||
		    ((k->fields & F_BYTES) && !num_is_pow2(v))) {
			return bad_value(e, spec, col, k, item);
		}
		spec_set(&w, k->fields, (uint32_t)v);
		given |= k->fields;
		s = comma ? comma + 1 : s + len;
		if (comma && *s == '\0')
			return errbuf_set(e, "workload '%s': column %zu: expected key=value "
			    "after ','", spec, (size_t)(s - spec) + 1);
	}
	if ((given & F_SHAPE) != F_SHAPE)
		return errbuf_set(e, "workload '%s': missing %s%s%s%s%s, expected b, h, "
		    "q and k (or s), and d (or dqk and dv)", spec,
		    !(given & F_B) ? "b " : "", !(given & F_H) ? "h " : "",
		    !(given & F_Q) ? "q " : "", !(given & F_K) ? "k " : "",
		    !(given & (F_DQK | F_DV)) ? "d" : !(given & F_DQK) ? "dqk" :
		    !(given & F_DV) ? "dv" : "");
	if (wl_validate(&w, e) != 0)
		return errbuf_prefix(e, "workload '%s'", spec);
	*out = w;
	return 0;
}

int
wl_set_seq(struct workload *w, uint64_t seq, struct errbuf *e)
{
	struct workload t = *w;

	if (seq < 1 || seq > WL_MAX_SEQ)
		return errbuf_set(e, "--seq: got %llu, expected an integer from 1 to %u",
		    (unsigned long long)seq, WL_MAX_SEQ);
	t.q_len = t.k_len = (uint32_t)seq;
	if (wl_validate(&t, e) != 0)
		return errbuf_prefix(e, "--seq %llu", (unsigned long long)seq);
	if (w->q_len != seq || w->k_len != seq) {
		size_t n = strnlen(t.name, sizeof t.name - 1);
		snprintf(t.name + n, sizeof t.name - n, ",s=%llu", (unsigned long long)seq);
	}
	*w = t;
	return 0;
}

static int
check_range(struct errbuf *e, const char *key, uint32_t v)
{
	const struct spec_key *k = spec_key_find(key, strlen(key));

	if (v < 1 || v > k->max)
		return errbuf_set(e, "key '%s': got %u, expected an integer from 1 to %u",
		    key, (unsigned)v, (unsigned)k->max);
	return 0;
}

int
wl_validate(const struct workload *w, struct errbuf *e)
{
	uint64_t pairs, macs;

	if (check_range(e, "b", w->batch) || check_range(e, "h", w->heads) ||
	    check_range(e, "q", w->q_len) || check_range(e, "k", w->k_len) ||
	    check_range(e, "dqk", w->d_qk) || check_range(e, "dv", w->d_v))
		return -1;
	if (w->elem_bytes > 8 || !num_is_pow2(w->elem_bytes))
		return errbuf_set(e, "key 'bytes': got %u, expected 1, 2, 4 or 8",
		    (unsigned)w->elem_bytes);
	if (w->causal && w->q_len > w->k_len)
		return errbuf_set(e, "causal with q=%u > k=%u: expected q <= k (the mask is "
		    "aligned to the last key, so the first queries would see no key)",
		    (unsigned)w->q_len, (unsigned)w->k_len);
	/* Keep every derived count exact in 64 bits and in a double's 53. */
	if (__builtin_mul_overflow((uint64_t)w->batch * w->heads,
	        (uint64_t)w->q_len * w->k_len, &pairs) ||
	    __builtin_mul_overflow(pairs, (uint64_t)w->d_qk + w->d_v, &macs) ||
	    macs > (1ull << 53))
		return errbuf_set(e, "too large: b*h*q*k*(dqk+dv) exceeds 2^53 MACs");
	return 0;
}

void
wl_format(const struct workload *w, char *buf, size_t len)
{
	snprintf(buf, len, "b=%u,h=%u,q=%u,k=%u,dqk=%u,dv=%u,bytes=%u,causal=%d",
	    (unsigned)w->batch, (unsigned)w->heads, (unsigned)w->q_len, (unsigned)w->k_len,
	    (unsigned)w->d_qk, (unsigned)w->d_v, (unsigned)w->elem_bytes, w->causal ? 1 : 0);
}

uint64_t
wl_score_pairs(const struct workload *w)
{
	uint64_t q = w->q_len, k = w->k_len, per_head;

	if (!w->causal)
		per_head = q * k;
	else	/* row i sees i + (k - q) + 1 keys */
		per_head = q * (k - q + 1) + q * (q - 1) / 2;
	return per_head * w->batch * w->heads;
}

uint64_t
wl_macs_qk(const struct workload *w)
{
	return wl_score_pairs(w) * w->d_qk;
}

uint64_t
wl_macs_pv(const struct workload *w)
{
	return wl_score_pairs(w) * w->d_v;
}

uint64_t
wl_compulsory_bytes(const struct workload *w)
{
	uint64_t heads = (uint64_t)w->batch * w->heads;

	return heads * w->elem_bytes *
	    ((uint64_t)w->q_len * w->d_qk + (uint64_t)w->k_len * (w->d_qk + w->d_v) +
	     (uint64_t)w->q_len * w->d_v);
}

void
wl_layout(const struct workload *w, struct wl_layout *l)
{
	uint64_t heads = (uint64_t)w->batch * w->heads, e = w->elem_bytes;

	l->q_head = (uint64_t)w->q_len * w->d_qk * e;
	l->k_head = (uint64_t)w->k_len * w->d_qk * e;
	l->v_head = (uint64_t)w->k_len * w->d_v * e;
	l->o_head = (uint64_t)w->q_len * w->d_v * e;
	l->q = 0;
	l->k = l->q + heads * l->q_head;
	l->v = l->k + heads * l->k_head;
	l->o = l->v + heads * l->v_head;
	l->end = l->o + heads * l->o_head;
}

static uint64_t
head_index(const struct workload *w, uint32_t b, uint32_t h)
{
	return (uint64_t)b * w->heads + h;
}

uint64_t
wl_q_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row)
{
	return l->q + head_index(w, b, h) * l->q_head + row * w->d_qk * w->elem_bytes;
}

uint64_t
wl_k_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row)
{
	return l->k + head_index(w, b, h) * l->k_head + row * w->d_qk * w->elem_bytes;
}

uint64_t
wl_v_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row)
{
	return l->v + head_index(w, b, h) * l->v_head + row * w->d_v * w->elem_bytes;
}

uint64_t
wl_o_row(const struct workload *w, const struct wl_layout *l, uint32_t b, uint32_t h, uint64_t row)
{
	return l->o + head_index(w, b, h) * l->o_head + row * w->d_v * w->elem_bytes;
}
