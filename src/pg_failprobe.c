/*-------------------------------------------------------------------------
 *
 * pg_failprobe.c
 *		Entry point of pg_failprobe: settings, shared memory, the worker.
 *
 * Loaded with shared_preload_libraries on every node of a replicated
 * cluster.  _PG_init defines the pg_failprobe.* settings, asks for the small
 * shared state the worker publishes, registers the heartbeat worker and
 * installs the commit hooks that report commit LSNs to clients.  Everything
 * else lives in the file named for it.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_failprobe.h"

#include <limits.h>
#include <unistd.h>

#include "fmgr.h"
#include "miscadmin.h"
#include "postmaster/bgworker.h"
#include "postmaster/postmaster.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* GUC variables */
char	   *failprobe_database = NULL;
int			failprobe_heartbeat_interval = 100;
int			failprobe_retention = 3600;
char	   *failprobe_node_name = NULL;

FailprobeShared *failprobe_shared = NULL;
bool		failprobe_preloaded = false;

static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

#if PG_VERSION_NUM >= 150000
static shmem_request_hook_type prev_shmem_request_hook = NULL;
#endif

static void fp_define_gucs(void);
static void fp_request_shmem(void);
static void fp_shmem_startup(void);
static void fp_register_worker(void);

void
_PG_init(void)
{
	/* commit_lsn.c defines its settings before the prefix is reserved */
	failprobe_commit_lsn_init();
	fp_define_gucs();

	/*
	 * Without the preload there is no shared memory and no worker; the SQL
	 * functions say so (failprobe_require_preload) instead of half-working.
	 */
	if (!process_shared_preload_libraries_in_progress)
		return;
	failprobe_preloaded = true;

#if PG_VERSION_NUM >= 150000
	prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = fp_request_shmem;
#else
	fp_request_shmem();
#endif
	prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = fp_shmem_startup;

	fp_register_worker();
}

static void
fp_define_gucs(void)
{
	/* a postmaster setting can only be defined while preloading */
	if (process_shared_preload_libraries_in_progress)
		DefineCustomStringVariable("pg_failprobe.database",
							   "Database the heartbeat worker connects to.",
							   "CREATE EXTENSION pg_failprobe must have been run in it.",
							   &failprobe_database,
							   "postgres",
							   PGC_POSTMASTER,
							   0,
							   NULL, NULL, NULL);

	DefineCustomIntVariable("pg_failprobe.heartbeat_interval",
							"Time between two heartbeats on the primary.",
							"0 turns heartbeats off; the worker still watches for promotion.",
							&failprobe_heartbeat_interval,
							100, 0, 3600 * 1000,
							PGC_SIGHUP,
							GUC_UNIT_MS,
							NULL, NULL, NULL);

	DefineCustomIntVariable("pg_failprobe.retention",
							"How long heartbeat rows are kept.",
							"Older rows are pruned in small batches. 0 keeps them forever.",
							&failprobe_retention,
							3600, 0, INT_MAX / 1000,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);

	DefineCustomStringVariable("pg_failprobe.node_name",
							   "Name of this node in heartbeat and event rows.",
							   "Empty means cluster_name, or host:port when that is empty too.",
							   &failprobe_node_name,
							   "",
							   PGC_SIGHUP,
							   0,
							   NULL, NULL, NULL);

#if PG_VERSION_NUM >= 150000
	MarkGUCPrefixReserved("pg_failprobe");
#else
	EmitWarningsOnPlaceholders("pg_failprobe");
#endif
}

static void
fp_request_shmem(void)
{
#if PG_VERSION_NUM >= 150000
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(MAXALIGN(sizeof(FailprobeShared)));
}

static void
fp_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	failprobe_shared = ShmemInitStruct("pg_failprobe",
									   sizeof(FailprobeShared), &found);
	if (!found)
	{
		memset(failprobe_shared, 0, sizeof(FailprobeShared));
		SpinLockInit(&failprobe_shared->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
}

/*
 * The worker starts once the node is consistent, so it also runs on a hot
 * standby: it has to be there to see the promotion happen.
 */
static void
fp_register_worker(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS |
		BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_ConsistentState;
	worker.bgw_restart_time = 1;
	snprintf(worker.bgw_library_name, BGW_MAXLEN, "pg_failprobe");
	snprintf(worker.bgw_function_name, BGW_MAXLEN, "failprobe_worker_main");
	snprintf(worker.bgw_name, BGW_MAXLEN, "pg_failprobe heartbeat");
	snprintf(worker.bgw_type, BGW_MAXLEN, "pg_failprobe heartbeat");
	RegisterBackgroundWorker(&worker);
}

/*
 * Raise the error every function that needs shared memory raises when the
 * library was loaded late (CREATE EXTENSION without the preload).
 */
void
failprobe_require_preload(void)
{
	if (!failprobe_preloaded || failprobe_shared == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("pg_failprobe must be loaded via shared_preload_libraries"),
				 errhint("Add pg_failprobe to shared_preload_libraries in postgresql.conf and restart the server.")));
}

/*
 * The node name used in heartbeat and event rows: the setting, else
 * cluster_name, else host:port.  Returned in the current memory context.
 */
char *
failprobe_current_node_name(void)
{
	char		host[256];

	if (failprobe_node_name != NULL && failprobe_node_name[0] != '\0')
		return pstrdup(failprobe_node_name);
	if (cluster_name != NULL && cluster_name[0] != '\0')
		return pstrdup(cluster_name);
	if (gethostname(host, sizeof(host)) != 0)
		strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	return psprintf("%s:%d", host, PostPortNumber);
}
