/* mjshim: makes MuJoCo 2.2.2 errors recoverable for Reverie.Envs.
 *
 * MuJoCo reports fatal errors through mju_error, which by default prints, waits for Enter on stdin
 * and calls exit(1). A user handler must not return either, and managed code cannot unwind through
 * native frames, so the guarded calls below run MuJoCo under setjmp and the handler longjmps back:
 * the call returns 1 and the message is kept for mjs_last_error. The jump buffer is thread-local,
 * so envs on different threads do not interfere. Needs only gcc and the runtime library
 * (the few prototypes are declared here, so libmujoco-dev is not required).
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mjModel_ mjModel;
typedef struct mjData_ mjData;

extern void (*mju_user_error)(const char*);
int mj_version(void);
mjData* mj_makeData(const mjModel* m);
void mj_step(const mjModel* m, mjData* d);
void mj_step1(const mjModel* m, mjData* d);
void mj_step2(const mjModel* m, mjData* d);
void mj_forward(const mjModel* m, mjData* d);

static __thread jmp_buf* guard;
static __thread char last_error[1024];

static void on_error(const char* msg)
{
    strncpy(last_error, msg ? msg : "(no message)", sizeof last_error - 1);
    last_error[sizeof last_error - 1] = 0;
    if (guard) longjmp(*guard, 1);
    /* An error outside a guarded call cannot be returned from; never wait on stdin. */
    fprintf(stderr, "MuJoCo error outside a guarded call: %s\n", last_error);
    abort();
}

int mjs_version(void) { return 1; }

void mjs_install(void) { mju_user_error = on_error; }

const char* mjs_last_error(void) { return last_error; }

#define GUARDED(body)                         \
    jmp_buf here;                             \
    jmp_buf* saved = guard;                   \
    if (setjmp(here)) { guard = saved; return 1; } \
    guard = &here;                            \
    body;                                     \
    guard = saved;                            \
    return 0;

/* One control step: nsub physics steps, then mj_step1 so that positions, velocities and the
 * position/velocity sensors describe the new state. With legacy = 1 (Euler models, whose last
 * mj_step1 already computed the velocity stage) the first step is mj_step2, as dm_control does. */
int mjs_control_step(const mjModel* m, mjData* d, int nsub, int legacy)
{
    GUARDED({
        int i = 0;
        if (legacy && nsub > 0) { mj_step2(m, d); i = 1; }
        for (; i < nsub; i++) mj_step(m, d);
        mj_step1(m, d);
    })
}

int mjs_steps(const mjModel* m, mjData* d, int n) { GUARDED({ for (int i = 0; i < n; i++) mj_step(m, d); }) }

int mjs_forward(const mjModel* m, mjData* d) { GUARDED(mj_forward(m, d)) }

int mjs_make_data(const mjModel* m, mjData** out) { GUARDED(*out = mj_makeData(m)) }
