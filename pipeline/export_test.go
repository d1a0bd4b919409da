package pipeline

// For the external tests: the cache entry and its file name.
type CacheEntry = cacheEntry

const EntrySuffix = entrySuffix
