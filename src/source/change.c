/* change.c: what every warm source shares (see change.h): freeing a view
 * and telling the journal.  Never acts on a source itself. */
#include <stdlib.h>
#include <string.h>

#include "source/change.h"
#include "util/log.h"

void
change_view_free (struct change_view *view)
{
  free (view->mark);
  free (view->base);
  free (view->epoch);
  free (view->disks);
  memset (view, 0, sizeof *view);
}

int
change_intent (struct change_source *src, const char *action,
               const char *object)
{
  const struct change_journal *j = src->journal;

  log_debug ("%s: %s %s", src->ops->kind, action, object);
  if (j == NULL || j->intent == NULL)
    return 0;
  return j->intent (j->opaque, action, object);
}

void
change_done (struct change_source *src, const char *action,
             const char *object, bool ok)
{
  const struct change_journal *j = src->journal;

  if (j && j->done)
    j->done (j->opaque, action, object, ok);
}
