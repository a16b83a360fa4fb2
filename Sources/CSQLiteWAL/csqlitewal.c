// A VFS over SQLite's default one that writes a WAL file in large pieces.
//
// SQLite appends a frame to the WAL as two writes, its 24-byte header and then the page, so a
// transaction of a thousand pages costs two thousand system calls. Here those writes gather in a
// buffer per WAL file and reach the file together. Only the WAL is buffered: the database file,
// its journals and the shared-memory index go straight to the default VFS, with no wrapper.
//
// Other connections read committed frames only, and learn of a commit from the WAL index, which
// SQLite updates after it has written the commit frame. The buffer is therefore written out as soon
// as the last byte of a commit frame (a frame whose header gives the database size) is appended,
// so what stays buffered belongs to a transaction nobody else can see yet. Only appends gather:
// SQLite's rewrites of frames of the transaction under way (a page written again, headers given
// new checksums just before the commit) go straight to the file. The buffer is also written out
// before any write that does not continue it and before any other call on the file, so that the
// file, as this connection sees it, is always what SQLite wrote.

#include "csqlitewal.h"

#include <pthread.h>
#include <string.h>

/// Bytes gathered before the buffer is written out: the most the default VFS writes in one call
/// (it keeps the low 17 bits of a write's length).
enum { BUFFER_CAPACITY = 128 * 1024 - 1 };
/// A WAL file's header, and each frame's.
enum { WAL_HEADER_SIZE = 32, FRAME_HEADER_SIZE = 24 };

typedef struct BufferedWAL {
    sqlite3_file base;
    /// The default VFS's file, in the memory after this structure.
    sqlite3_file *file;
    unsigned char *buffer;
    /// The file offset of buffer[0], and how many bytes are held.
    sqlite3_int64 start;
    int length;
    /// The database page size from the WAL header, or 0 while unknown.
    int pageSize;
    /// The file offset just past the latest commit frame whose header was appended, until all of
    /// that frame is in the file; 0 otherwise.
    sqlite3_int64 commitEnd;
    /// The end of the frames appended since the WAL last started at its header: a write below it
    /// rewrites a frame of the transaction under way.
    sqlite3_int64 appendEnd;
    /// Writes SQLite made to this file, and writes that reached the default VFS's file.
    sqlite3_int64 writesReceived;
    sqlite3_int64 writesIssued;
} BufferedWAL;

static sqlite3_vfs *underlying;
static sqlite3_vfs bufferingVFS;

static BufferedWAL *wal(sqlite3_file *file)
{
    return (BufferedWAL *)file;
}

static int flush(BufferedWAL *file)
{
    if (file->length == 0) {
        return SQLITE_OK;
    }
    int status = file->file->pMethods->xWrite(file->file, file->buffer, file->length, file->start);
    file->writesIssued += 1;
    // The bytes are gone either way: SQLite abandons the transaction they belong to on an error.
    if (file->commitEnd <= file->start + file->length) {
        file->commitEnd = 0;
    }
    file->length = 0;
    return status;
}

static int readPageSize(const unsigned char *header)
{
    int size = (header[8] << 24) | (header[9] << 16) | (header[10] << 8) | header[11];
    if (size == 1) {
        return 65536;
    }
    if (size < 512 || size > 32768 || (size & (size - 1)) != 0) {
        return 0;
    }
    return size;
}

/// Learns the page size from a WAL header already in the file.
static void loadPageSize(BufferedWAL *file)
{
    unsigned char header[WAL_HEADER_SIZE];
    if (file->file->pMethods->xRead(file->file, header, sizeof header, 0) == SQLITE_OK) {
        file->pageSize = readPageSize(header);
    }
}

/// Notes the end of any commit frame whose header lies in `bytes`, written at `offset`. A header
/// cut by the end of the write counts as a commit's, which only writes the buffer out early.
static void findCommits(BufferedWAL *file, const unsigned char *bytes, int amount, sqlite3_int64 offset)
{
    sqlite3_int64 frameSize = FRAME_HEADER_SIZE + (sqlite3_int64)file->pageSize;
    sqlite3_int64 end = offset + amount;
    sqlite3_int64 frame = offset <= WAL_HEADER_SIZE ? 0 : (offset - WAL_HEADER_SIZE + frameSize - 1) / frameSize;
    for (sqlite3_int64 header = WAL_HEADER_SIZE + frame * frameSize; header < end; header += frameSize) {
        if (header + FRAME_HEADER_SIZE > end) {
            file->commitEnd = header + frameSize;
            break;
        }
        const unsigned char *databaseSize = bytes + (header - offset) + 4;
        if ((databaseSize[0] | databaseSize[1] | databaseSize[2] | databaseSize[3]) != 0) {
            file->commitEnd = header + frameSize;
        }
    }
}

static int walWrite(sqlite3_file *base, const void *bytes, int amount, sqlite3_int64 offset)
{
    BufferedWAL *file = wal(base);
    file->writesReceived += 1;
    if (offset == 0) {
        // The WAL header: the WAL starts (over) here.
        file->appendEnd = 0;
        if (amount >= 12) {
            file->pageSize = readPageSize(bytes);
        }
    }
    int appends = offset >= file->appendEnd;
    if (offset + amount > file->appendEnd) {
        file->appendEnd = offset + amount;
    }
    int contiguous = offset == file->start + file->length;
    if (file->length > 0 && (!contiguous || file->length + amount > BUFFER_CAPACITY)) {
        int status = flush(file);
        if (status != SQLITE_OK) {
            return status;
        }
    }
    if (file->pageSize == 0 && offset != 0) {
        loadPageSize(file);
    }
    if (!appends || file->pageSize == 0 || amount > BUFFER_CAPACITY) {
        // Rewrites (a page written again, headers given new checksums before a commit) go straight
        // to the file, after what is buffered, since the last of them may complete a commit.
        file->writesIssued += 1;
        return file->file->pMethods->xWrite(file->file, bytes, amount, offset);
    }
    if (file->length == 0) {
        file->start = offset;
    }
    memcpy(file->buffer + file->length, bytes, amount);
    file->length += amount;
    findCommits(file, bytes, amount, offset);
    if (file->commitEnd != 0 && file->start + file->length >= file->commitEnd) {
        return flush(file);
    }
    return SQLITE_OK;
}

static int walClose(sqlite3_file *base)
{
    BufferedWAL *file = wal(base);
    int flushed = flush(file);
    int closed = file->file->pMethods->xClose(file->file);
    sqlite3_free(file->buffer);
    file->buffer = NULL;
    return flushed != SQLITE_OK ? flushed : closed;
}

static int walRead(sqlite3_file *base, void *bytes, int amount, sqlite3_int64 offset)
{
    BufferedWAL *file = wal(base);
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xRead(file->file, bytes, amount, offset);
}

static int walTruncate(sqlite3_file *base, sqlite3_int64 size)
{
    BufferedWAL *file = wal(base);
    if (file->appendEnd > size) {
        file->appendEnd = size;
    }
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xTruncate(file->file, size);
}

static int walSync(sqlite3_file *base, int flags)
{
    BufferedWAL *file = wal(base);
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xSync(file->file, flags);
}

static int walFileSize(sqlite3_file *base, sqlite3_int64 *size)
{
    BufferedWAL *file = wal(base);
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xFileSize(file->file, size);
}

static int walFileControl(sqlite3_file *base, int operation, void *argument)
{
    BufferedWAL *file = wal(base);
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xFileControl(file->file, operation, argument);
}

// The calls below touch no bytes of the file and go straight through.

static int walLock(sqlite3_file *base, int level)
{
    return wal(base)->file->pMethods->xLock(wal(base)->file, level);
}

static int walUnlock(sqlite3_file *base, int level)
{
    return wal(base)->file->pMethods->xUnlock(wal(base)->file, level);
}

static int walCheckReservedLock(sqlite3_file *base, int *reserved)
{
    return wal(base)->file->pMethods->xCheckReservedLock(wal(base)->file, reserved);
}

static int walSectorSize(sqlite3_file *base)
{
    return wal(base)->file->pMethods->xSectorSize(wal(base)->file);
}

static int walDeviceCharacteristics(sqlite3_file *base)
{
    return wal(base)->file->pMethods->xDeviceCharacteristics(wal(base)->file);
}

static int walShmMap(sqlite3_file *base, int region, int size, int extend, void volatile **memory)
{
    return wal(base)->file->pMethods->xShmMap(wal(base)->file, region, size, extend, memory);
}

static int walShmLock(sqlite3_file *base, int offset, int count, int flags)
{
    return wal(base)->file->pMethods->xShmLock(wal(base)->file, offset, count, flags);
}

static void walShmBarrier(sqlite3_file *base)
{
    wal(base)->file->pMethods->xShmBarrier(wal(base)->file);
}

static int walShmUnmap(sqlite3_file *base, int deleteFlag)
{
    return wal(base)->file->pMethods->xShmUnmap(wal(base)->file, deleteFlag);
}

static int walFetch(sqlite3_file *base, sqlite3_int64 offset, int amount, void **pages)
{
    BufferedWAL *file = wal(base);
    *pages = NULL;
    int status = flush(file);
    return status != SQLITE_OK ? status : file->file->pMethods->xFetch(file->file, offset, amount, pages);
}

static int walUnfetch(sqlite3_file *base, sqlite3_int64 offset, void *page)
{
    return wal(base)->file->pMethods->xUnfetch(wal(base)->file, offset, page);
}

/// Methods up to version 3, for a default VFS file of that version.
static const sqlite3_io_methods walMethods = {
    3,
    walClose,
    walRead,
    walWrite,
    walTruncate,
    walSync,
    walFileSize,
    walLock,
    walUnlock,
    walCheckReservedLock,
    walFileControl,
    walSectorSize,
    walDeviceCharacteristics,
    walShmMap,
    walShmLock,
    walShmBarrier,
    walShmUnmap,
    walFetch,
    walUnfetch,
};

static int vfsOpen(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *base, int flags, int *outFlags)
{
    (void)vfs;
    if ((flags & SQLITE_OPEN_WAL) == 0) {
        // The default VFS's file lives in this memory, which is larger than it needs.
        return underlying->xOpen(underlying, name, base, flags, outFlags);
    }
    BufferedWAL *file = wal(base);
    memset(file, 0, sizeof *file);
    file->file = (sqlite3_file *)(file + 1);
    int status = underlying->xOpen(underlying, name, file->file, flags, outFlags);
    if (status != SQLITE_OK) {
        return status;
    }
    if (file->file->pMethods->iVersion < 3) {
        // The methods above call all of version 3's.
        file->file->pMethods->xClose(file->file);
        return SQLITE_CANTOPEN;
    }
    file->buffer = sqlite3_malloc(BUFFER_CAPACITY);
    if (file->buffer == NULL) {
        file->file->pMethods->xClose(file->file);
        return SQLITE_NOMEM;
    }
    file->base.pMethods = &walMethods;
    return SQLITE_OK;
}

// The rest of the VFS is the default one's.

static int vfsDelete(sqlite3_vfs *vfs, const char *name, int syncDirectory)
{
    (void)vfs;
    return underlying->xDelete(underlying, name, syncDirectory);
}

static int vfsAccess(sqlite3_vfs *vfs, const char *name, int flags, int *result)
{
    (void)vfs;
    return underlying->xAccess(underlying, name, flags, result);
}

static int vfsFullPathname(sqlite3_vfs *vfs, const char *name, int size, char *output)
{
    (void)vfs;
    return underlying->xFullPathname(underlying, name, size, output);
}

static void *vfsDlOpen(sqlite3_vfs *vfs, const char *name)
{
    (void)vfs;
    return underlying->xDlOpen(underlying, name);
}

static void vfsDlError(sqlite3_vfs *vfs, int size, char *message)
{
    (void)vfs;
    underlying->xDlError(underlying, size, message);
}

static void (*vfsDlSym(sqlite3_vfs *vfs, void *library, const char *symbol))(void)
{
    (void)vfs;
    return underlying->xDlSym(underlying, library, symbol);
}

static void vfsDlClose(sqlite3_vfs *vfs, void *library)
{
    (void)vfs;
    underlying->xDlClose(underlying, library);
}

static int vfsRandomness(sqlite3_vfs *vfs, int size, char *output)
{
    (void)vfs;
    return underlying->xRandomness(underlying, size, output);
}

static int vfsSleep(sqlite3_vfs *vfs, int microseconds)
{
    (void)vfs;
    return underlying->xSleep(underlying, microseconds);
}

static int vfsCurrentTime(sqlite3_vfs *vfs, double *time)
{
    (void)vfs;
    return underlying->xCurrentTime(underlying, time);
}

static int vfsGetLastError(sqlite3_vfs *vfs, int size, char *message)
{
    (void)vfs;
    return underlying->xGetLastError(underlying, size, message);
}

static int vfsCurrentTimeInt64(sqlite3_vfs *vfs, sqlite3_int64 *time)
{
    (void)vfs;
    return underlying->xCurrentTimeInt64(underlying, time);
}

static int registration = SQLITE_ERROR;

static void registerOnce(void)
{
    if (sqlite3_initialize() != SQLITE_OK) {
        return;
    }
    underlying = sqlite3_vfs_find(NULL);
    if (underlying == NULL || underlying->iVersion < 2) {
        return;
    }
    bufferingVFS = (sqlite3_vfs){
        .iVersion = 2,
        .szOsFile = (int)sizeof(BufferedWAL) + underlying->szOsFile,
        .mxPathname = underlying->mxPathname,
        .zName = CSQLITEWAL_VFS_NAME,
        .xOpen = vfsOpen,
        .xDelete = vfsDelete,
        .xAccess = vfsAccess,
        .xFullPathname = vfsFullPathname,
        .xDlOpen = vfsDlOpen,
        .xDlError = vfsDlError,
        .xDlSym = vfsDlSym,
        .xDlClose = vfsDlClose,
        .xRandomness = vfsRandomness,
        .xSleep = vfsSleep,
        .xCurrentTime = vfsCurrentTime,
        .xGetLastError = vfsGetLastError,
        .xCurrentTimeInt64 = vfsCurrentTimeInt64,
    };
    registration = sqlite3_vfs_register(&bufferingVFS, 0);
}

int csqlitewal_register(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, registerOnce);
    return registration;
}

int csqlitewal_writes(sqlite3 *database, sqlite3_int64 *received, sqlite3_int64 *issued)
{
    sqlite3_file *journal = NULL;
    int status = sqlite3_file_control(database, "main", SQLITE_FCNTL_JOURNAL_POINTER, &journal);
    if (status != SQLITE_OK || journal == NULL || journal->pMethods != &walMethods) {
        return SQLITE_NOTFOUND;
    }
    *received = wal(journal)->writesReceived;
    *issued = wal(journal)->writesIssued;
    return SQLITE_OK;
}
