/* trace-progress: a reader or writer that reports how far it got. */
#include "config.h"

#include <stddef.h>

#include "trace-progress.h"

#define EVERY 0xffffu	/* report when the count's low 16 bits are all zero */

static int
rd_next(struct trace_reader *r, const struct isa_instr **out, struct errbuf *e)
{
	struct trace_progress_reader *pr = (struct trace_progress_reader *)r;
	int rc = trace_next(pr->in, out, e);

	r->count = pr->in->count;
	if (rc == 1 && (r->count & EVERY) == 0)
		progress_report(pr->p, r->count, pr->total);
	return rc;
}

static void
rd_close(struct trace_reader *r)
{
	(void)r;	/* the wrapped reader is the caller's to close */
}

static int
rd_seek(struct trace_reader *r, uint64_t index, struct errbuf *e)
{
	struct trace_progress_reader *pr = (struct trace_progress_reader *)r;
	int rc = trace_seek(pr->in, index, e);

	r->count = pr->in->count;
	return rc;
}

static int
rd_seek_time(struct trace_reader *r, uint64_t cycle, struct errbuf *e)
{
	struct trace_progress_reader *pr = (struct trace_progress_reader *)r;
	int rc = trace_seek_time(pr->in, cycle, e);

	r->count = pr->in->count;
	return rc;
}

static int
rd_total(struct trace_reader *r, uint64_t *count, struct errbuf *e)
{
	return trace_total(((struct trace_progress_reader *)r)->in, count, e);
}

static const struct trace_reader_ops reader_ops = {
	rd_next, rd_close, rd_seek, rd_seek_time, rd_total,
};

struct trace_reader *
trace_progress_reader(struct trace_progress_reader *pr, struct trace_reader *in,
    const struct progress *p)
{
	struct errbuf ignored;

	if (p == NULL || p->fn == NULL)
		return in;
	pr->r.ops = &reader_ops;
	pr->r.name = in->name;
	pr->r.hdr = in->hdr;
	pr->r.count = in->count;
	pr->in = in;
	pr->p = p;
	if (trace_total(in, &pr->total, &ignored) != 0)
		pr->total = 0;	/* a text trace or a pipe: the count alone */
	return &pr->r;
}

static int
wr_write(struct trace_writer *w, const struct isa_instr *in, struct errbuf *e)
{
	struct trace_progress_writer *pw = (struct trace_progress_writer *)w;
	int rc = trace_write(pw->out, in, e);

	w->count = pw->out->count;
	if (rc == 0 && (w->count & EVERY) == 0)
		progress_report(pw->p, w->count, pw->total);
	return rc;
}

static int
wr_close(struct trace_writer *w, struct errbuf *e)
{
	struct trace_writer *out = ((struct trace_progress_writer *)w)->out;

	return out->ops->close(out, e);
}

static void
wr_abort(struct trace_writer *w)
{
	struct trace_writer *out = ((struct trace_progress_writer *)w)->out;

	out->ops->abort(out);
}

static const struct trace_writer_ops writer_ops = { wr_write, wr_close, wr_abort };

struct trace_writer *
trace_progress_writer(struct trace_progress_writer *pw, struct trace_writer *out,
    const struct progress *p, uint64_t total)
{
	if (p == NULL || p->fn == NULL)
		return out;
	pw->w.ops = &writer_ops;
	pw->w.count = out->count;
	pw->out = out;
	pw->p = p;
	pw->total = total;
	return &pw->w;
}
