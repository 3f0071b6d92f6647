/* kernel/role.c — role start functions and shutdown hooks.
 *
 * Role start: ROLE_INIT() entries live in the "role_inits" section
 * (include/kernel/role.h); role_init_all(), called once by start_kernel
 * after fit_init(), starts the "roles" kernel thread, which runs the ones
 * this node's roles select in link order (the boot thread becomes the
 * idle task and must not sleep; start functions do disk and FIT I/O).
 * role_wait_started() lets the selftest runner wait for them.
 *
 * Shutdown hooks: managers that hold state which must reach a device
 * before the machine is switched off (the storage manager's dirty
 * blocks) register a hook with machine_add_shutdown_hook().
 * machine_shutdown(code) runs them, most recently added first, each at
 * most once, then calls machine_exit(code).  Hooks run in the calling
 * thread (it must be able to sleep: the selftest runner's, never an
 * interrupt or a panic — a panicking kernel writes nothing).
 *
 * Locking: hooks_lock (a mutex) guards the hook list and is held while
 * the hooks run, so a hook added during shutdown waits and a second
 * machine_shutdown() runs nothing twice.
 */
#include <kernel/machine.h>
#include <kernel/mutex.h>
#include <kernel/node.h>
#include <kernel/printk.h>
#include <kernel/role.h>
#include <kernel/sched.h>
#include <kernel/wait.h>
#include <uapi/errno.h>

/* Weak: with no ROLE_INIT entry linked in, the section (and so these
 * linker-made symbols) does not exist and both are NULL. */
extern const struct role_init __start_role_inits[] __attribute__((weak));
extern const struct role_init __stop_role_inits[] __attribute__((weak));

static DEFINE_COMPLETION(roles_done);

static int role_thread(void *arg)
{
	const struct role_init *r;

	for (r = __start_role_inits; r < __stop_role_inits; r++) {
		int err;

		if (!(r->roles & node_roles()))
			continue;
		err = r->fn();
		if (err)
			printk("role: %s failed: %d\n", r->name, err);
	}
	complete_all(&roles_done);
	return 0;
}

void role_init_all(void)
{
	if (!kthread_run(role_thread, NULL, "roles")) {
		printk("role: cannot start the role thread\n");
		complete_all(&roles_done);
	}
}

bool role_wait_started(u64 timeout_ns)
{
	return wait_for_completion_timeout(&roles_done, timeout_ns) != 0;
}

#define MAX_SHUTDOWN_HOOKS 16

struct shutdown_hook {
	const char *name;
	void (*fn)(void);
	bool done;
};

static DEFINE_MUTEX(hooks_lock);
static struct shutdown_hook hooks[MAX_SHUTDOWN_HOOKS];
static int nr_hooks;

int machine_add_shutdown_hook(const char *name, void (*fn)(void))
{
	int err = 0;

	mutex_lock(&hooks_lock);
	if (nr_hooks == MAX_SHUTDOWN_HOOKS)
		err = -ENOSPC;
	else
		hooks[nr_hooks++] = (struct shutdown_hook){ name, fn, false };
	mutex_unlock(&hooks_lock);
	return err;
}

void machine_run_shutdown_hooks(void)
{
	mutex_lock(&hooks_lock);
	for (int i = nr_hooks - 1; i >= 0; i--) {
		if (hooks[i].done)
			continue;
		hooks[i].done = true;
		hooks[i].fn();
	}
	mutex_unlock(&hooks_lock);
}

void machine_shutdown(enum machine_exit_code code)
{
	machine_run_shutdown_hooks();
	machine_exit(code);
}
