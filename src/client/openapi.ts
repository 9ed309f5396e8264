// Generated from the OpenAPI document of the Segue API (GET /docs) by `npm run client:generate`. Do not edit.

export interface paths {
    "/v1/whoami": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The calling API key: its id, name and scopes (the console shows what the key may do) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            name: string;
                            scopes: string[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/overview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What the store holds and the server answers with: counts, model versions, experiments */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            counts: {
                                tracks: number;
                                artists: number;
                                listeners: number;
                                playlists: number;
                                events: number;
                            };
                            /** @description model name to the version the server answers with */
                            serving: {
                                [key: string]: number;
                            };
                            loadedAt: number;
                            ready: boolean;
                            problem?: string;
                            experiments: {
                                name: string;
                                status: string;
                                startedAt: number | null;
                                surfaces: string[];
                                variants: string[];
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/metrics/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The live counters as JSON: events written, requests, and per surface the recommendations and their latency histogram */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            at: number;
                            events: {
                                written: number;
                                duplicate: number;
                                rejected: number;
                            };
                            requests: number;
                            surfaces: {
                                [key: string]: {
                                    count: number;
                                    sum: number;
                                    buckets: {
                                        le: number;
                                        count: number;
                                    }[];
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Ingest a batch of listening events
         * @description Atomic: an invalid event refuses the whole batch (400 names it) and writes nothing. Committed before the response; events are idempotent by (source, eventId).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        events: ({
                            /** @enum {string} */
                            type: "play_start";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                            startReason?: string;
                            shuffle?: boolean;
                        } | {
                            /** @enum {string} */
                            type: "play_end";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                            msPlayed?: number;
                            endReason?: "trackdone" | "fwdbtn" | "backbtn" | "endplay" | "logout" | "remote" | "clickrow" | "playbtn" | "error" | "unexpected-exit" | "unexpected-exit-while-paused" | "unknown";
                            startReason?: string;
                            shuffle?: boolean;
                            skipped?: boolean;
                        } | {
                            /** @enum {string} */
                            type: "skip";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                            msPlayed?: number;
                        } | {
                            /** @enum {string} */
                            type: "like";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                        } | {
                            /** @enum {string} */
                            type: "unlike";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                        } | {
                            /** @enum {string} */
                            type: "save";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                        } | {
                            /** @enum {string} */
                            type: "ban";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId?: string;
                            artistId?: string;
                        } | {
                            /** @enum {string} */
                            type: "add_to_playlist";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId: string;
                            playlistId: string;
                        } | {
                            /** @enum {string} */
                            type: "play_count";
                            eventId: string;
                            source?: string;
                            listenerId: string;
                            ts: string | number;
                            sessionId?: string;
                            context?: {
                                type: "album" | "playlist" | "radio" | "autoplay" | "mix" | "search" | "other";
                                id?: string;
                                surface?: string;
                                requestId?: string;
                                position?: number;
                            };
                            platform?: string;
                            trackId?: string;
                            artistId?: string;
                            count: number;
                        })[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description events written now */
                            accepted: number;
                            /** @description events already written (same source and eventId): a retry is safe */
                            duplicates: number;
                            /** @description events the store refused, by position in the batch */
                            rejected: {
                                index: number;
                                reason: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/catalog": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upsert tracks, artists, listeners and playlists
         * @description One transaction. New tracks become recommendable when the server next refreshes (within the reload interval).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        tracks?: {
                            id: string;
                            title: string;
                            artists: {
                                id: string;
                                name: string;
                            }[];
                            album?: {
                                id: string;
                                title: string;
                                releaseDate?: string;
                                mbid?: string;
                            };
                            durationMs?: number;
                            releaseDate?: string;
                            genres?: string[];
                            audio?: {
                                tempo?: number;
                                energy?: number;
                                valence?: number;
                                danceability?: number;
                                acousticness?: number;
                                instrumentalness?: number;
                                speechiness?: number;
                                liveness?: number;
                                loudness?: number;
                                key?: number;
                                mode?: 0 | 1;
                            };
                            explicit?: boolean;
                            popularity?: number;
                            contentType?: "music" | "podcast";
                            markets?: string[];
                            promoted?: {
                                /** Format: date-time */
                                from: string;
                                /** Format: date-time */
                                to: string;
                            };
                            costTier?: number;
                            label?: string;
                            mbid?: string;
                        }[];
                        artists?: {
                            id: string;
                            name: string;
                            genres?: string[];
                            emerging?: boolean;
                            debut?: string;
                            country?: string;
                            mbid?: string;
                        }[];
                        listeners?: {
                            id: string;
                            country?: string;
                            birthYear?: number;
                            allowExplicit?: boolean;
                            premium?: boolean;
                            /** Format: date-time */
                            createdAt?: string;
                        }[];
                        playlists?: {
                            id: string;
                            name: string;
                            ownerId?: string;
                            trackIds: string[];
                            followers?: number;
                            modifiedAt?: number;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            accepted: number;
                            rejected: {
                                kind: string;
                                index: number;
                                reason: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/recommend/{surface}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Recommend an ordered sequence for a surface
         * @description Logs the response as an exposure (request id, listener, surface, policy, items with position, score and propensity) unless log is false.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    surface: "autoplay" | "radio" | "daily-mixes" | "discovery" | "release-radar" | "blend" | "mood" | "enhance" | "shuffle";
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        listenerId: string;
                        seedTrack?: string;
                        seedArtist?: string;
                        seedGenre?: string;
                        /** @description blend: the other listeners */
                        with?: string[];
                        playlistId?: string;
                        /** @description radio: continue this station; its pages never repeat a track */
                        stationId?: string;
                        mood?: "energetic" | "calm" | "happy" | "sad" | "focus" | "party";
                        /** @description a partial policy over the surface's defaults: objects merge, values replace */
                        policy?: {
                            [key: string]: unknown;
                        };
                        /** @description tracks per list (default: the policy's length) */
                        n?: number;
                        /** @description seed of exploration (default 0) */
                        seed?: number;
                        /** @description serve as of this time (default now) */
                        now?: number | string;
                        /** @description log the response as an exposure (default true) */
                        log?: boolean;
                        sessionId?: string;
                        /** @description what the listener did with earlier tracks (radio thumbs, skips): folded into the state before serving */
                        feedback?: {
                            trackId: string;
                            /** @description disliked bans the track for this listener */
                            signal: "listened" | "skipped" | "liked" | "disliked";
                            ts?: number | string;
                        }[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description the exposure's id: send it back as context.requestId on the events it leads to */
                            requestId: string;
                            surface: string;
                            listenerId: string;
                            policyId: string;
                            items: {
                                position: number;
                                trackId: string;
                                artistIds: string[];
                                albumId?: string;
                                score: number;
                                propensity: number;
                                explanation: {
                                    sources: string[];
                                    values: {
                                        [key: string]: number;
                                    };
                                    changedBy: string[];
                                };
                                inserted?: boolean;
                                /** @description an interleaving experiment's list: the variant whose track this is */
                                team?: "a" | "b";
                            }[];
                            mixes?: {
                                name: string;
                                genre: string;
                                items: {
                                    position: number;
                                    trackId: string;
                                    artistIds: string[];
                                    albumId?: string;
                                    score: number;
                                    propensity: number;
                                    explanation: {
                                        sources: string[];
                                        values: {
                                            [key: string]: number;
                                        };
                                        changedBy: string[];
                                    };
                                    inserted?: boolean;
                                    /** @description an interleaving experiment's list: the variant whose track this is */
                                    team?: "a" | "b";
                                }[];
                            }[];
                            tasteMatch?: number;
                            memberShares?: {
                                [key: string]: number;
                            };
                            stationId?: string;
                            filtered: {
                                [key: string]: number;
                            };
                            /**
                             * @description the listener's online state could not be read (Redis unreachable, or flushed and not yet rebuilt): answered from the models without it
                             * @enum {boolean}
                             */
                            degraded?: true;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/listeners/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A listener's profile from the online state: top tracks, artists, genres and the current session */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            listenerId: string;
                            /** @description whether the store has a record or any event of this listener */
                            known: boolean;
                            country?: string;
                            topTracks: {
                                id: string;
                                plays: number;
                                likes: number;
                            }[];
                            topArtists: {
                                id: string;
                                plays: number;
                                likes: number;
                            }[];
                            topGenres: {
                                id: string;
                                plays: number;
                                likes: number;
                            }[];
                            session?: {
                                id: string;
                                startTs: number;
                                lastTs: number;
                                plays: number;
                                skips: number;
                                listens: number;
                                likes: number;
                                recent: {
                                    trackId: string;
                                    artistId: string;
                                    /** @description -1 skipped, 0 played, 1 listened through or liked */
                                    outcome: number;
                                    ts: number;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/listeners/{id}/history": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A listener's events of the last days from the log, with plays, skips and skip rate per genre and per artist */
        get: {
            parameters: {
                query?: {
                    /** @description how far back from `until` (default 30) */
                    days?: number;
                    /** @description epoch ms (default: the listener's newest event) */
                    until?: number;
                    /** @description newest events returned (default 2,000); the tallies count these */
                    limit?: number;
                };
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            listenerId: string;
                            since: number;
                            until: number;
                            /** @description events in the window (events returned: the newest `limit`) */
                            total: number;
                            sessions: number;
                            events: {
                                ts: number;
                                type: string;
                                trackId?: string;
                                sessionId?: string;
                                msPlayed?: number;
                                skipped?: boolean;
                            }[];
                            /** @description the 20 most played genres of the returned events, with skip rate (of plays of known skip status) */
                            genres: {
                                id: string;
                                plays: number;
                                skips: number;
                                listens: number;
                                likes: number;
                                skipRate: number | null;
                                name?: string;
                            }[];
                            /** @description the 20 most played main artists */
                            artists: {
                                id: string;
                                plays: number;
                                skips: number;
                                listens: number;
                                likes: number;
                                skipRate: number | null;
                                name?: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Search tracks by title, artists by name, listeners by id (case-insensitive; prefix matches first; listeners need the read scope) */
        get: {
            parameters: {
                query: {
                    /** @description part of the id, the title (tracks) or the name (artists) */
                    q: string;
                    /** @description what to search */
                    kind: "track" | "artist" | "listener";
                    /** @description default 20 */
                    limit?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            results: {
                                id: string;
                                name: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/lookup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** The catalog records of tracks and artists by id (for showing names instead of ids) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        tracks?: string[];
                        artists?: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description the known tracks by id (unknown ids are absent) */
                            tracks: {
                                [key: string]: {
                                    id: string;
                                    title: string;
                                    artists: {
                                        id: string;
                                        name: string;
                                    }[];
                                    album?: {
                                        id: string;
                                        title: string;
                                        releaseDate?: string;
                                        mbid?: string;
                                    };
                                    durationMs?: number;
                                    releaseDate?: string;
                                    genres?: string[];
                                    audio?: {
                                        tempo?: number;
                                        energy?: number;
                                        valence?: number;
                                        danceability?: number;
                                        acousticness?: number;
                                        instrumentalness?: number;
                                        speechiness?: number;
                                        liveness?: number;
                                        loudness?: number;
                                        key?: number;
                                        mode?: 0 | 1;
                                    };
                                    explicit?: boolean;
                                    popularity?: number;
                                    contentType?: "music" | "podcast";
                                    markets?: string[];
                                    promoted?: {
                                        /** Format: date-time */
                                        from: string;
                                        /** Format: date-time */
                                        to: string;
                                    };
                                    costTier?: number;
                                    label?: string;
                                    mbid?: string;
                                };
                            };
                            /** @description the known artists by id */
                            artists: {
                                [key: string]: {
                                    id: string;
                                    name: string;
                                    genres?: string[];
                                    emerging?: boolean;
                                    debut?: string;
                                    country?: string;
                                    mbid?: string;
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Trained model versions (with their training info: time, figures, feature importance), and the ones the server answers with */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description model name to the version the server answers with */
                            serving: {
                                [key: string]: number;
                            };
                            loadedAt: number;
                            models: {
                                name: string;
                                version: number;
                                createdAt: number;
                                bytes: number;
                                /** @description what training recorded: trainedAt, seconds, and the ranker's report (NDCG, AUC, feature importance) */
                                info?: {
                                    [key: string]: unknown;
                                };
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/evaluations": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The latest report of each `segue eval` task run on this store */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description next-track, continuation, listener-artist or skip */
                            task: string;
                            version: number;
                            createdAt: number;
                            /** @description the JSON report of `segue eval --json` */
                            report: {
                                [key: string]: unknown;
                            };
                        }[];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/exposures/{requestId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A logged exposure by request id */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    requestId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            requestId: string;
                            listenerId: string;
                            surface: string;
                            ts: number;
                            policyId?: string;
                            experiment?: string;
                            variant?: string;
                            sessionId?: string;
                            items: {
                                trackId: string;
                                position: number;
                                score: number;
                                propensity: number;
                                source?: string;
                                team?: "a" | "b";
                            }[];
                            candidates?: {
                                trackIds: string[];
                                scores: number[];
                                isNew: string;
                                seed: number;
                                history?: {
                                    trackIds: string[];
                                    ts: number[];
                                };
                                policy?: {
                                    [key: string]: unknown;
                                };
                            };
                            weights?: {
                                base: {
                                    [key: string]: number;
                                };
                                used: {
                                    [key: string]: number;
                                };
                                low: {
                                    [key: string]: number;
                                };
                                high: {
                                    [key: string]: number;
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Experiments and their status */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            def: {
                                [key: string]: unknown;
                            };
                            /** @description draft, running, stopped or shipped */
                            status: string;
                            createdAt: number;
                            startedAt: number | null;
                            stoppedAt: number | null;
                            offset: number;
                            shippedVariant: string | null;
                        }[];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Define an experiment (a draft until started) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description lowercase letters, digits, dot, dash, underscore */
                        name: string;
                        description?: string;
                        design?: "ab" | "interleave";
                        credit?: {
                            listenMs?: number;
                        };
                        salt?: string;
                        surfaces: ("autoplay" | "radio" | "daily-mixes" | "discovery" | "release-radar" | "blend" | "mood" | "enhance" | "shuffle")[];
                        variants: {
                            /** @description lowercase letters, digits, dot, dash, underscore */
                            name: string;
                            weight: number;
                            policy?: {
                                [key: string]: unknown;
                            };
                        }[];
                        /** @description lowercase letters, digits, dot, dash, underscore */
                        control?: string;
                        allocation?: number;
                        /** @description lowercase letters, digits, dot, dash, underscore */
                        layer?: string;
                        holdout?: number;
                        startAt?: number | string;
                        stopAt?: number | string;
                        metrics?: {
                            success: ("listenThroughRate" | "skipRate" | "minutesPerSession" | "sessionsPerListener" | "minutesPerListener" | "emergingShare" | "genreVariety" | "artistGini")[];
                            guardrails: {
                                metric: "listenThroughRate" | "skipRate" | "minutesPerSession" | "sessionsPerListener" | "minutesPerListener" | "emergingShare" | "genreVariety" | "artistGini";
                                margin: number;
                            }[];
                        };
                        alpha?: number;
                        plannedListeners?: number;
                        preDays?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            def: {
                                [key: string]: unknown;
                            };
                            /** @description draft, running, stopped or shipped */
                            status: string;
                            createdAt: number;
                            startedAt: number | null;
                            stoppedAt: number | null;
                            offset: number;
                            shippedVariant: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments/{name}/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start assigning listeners */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            def: {
                                [key: string]: unknown;
                            };
                            /** @description draft, running, stopped or shipped */
                            status: string;
                            createdAt: number;
                            startedAt: number | null;
                            stoppedAt: number | null;
                            offset: number;
                            shippedVariant: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments/{name}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop assigning listeners */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            def: {
                                [key: string]: unknown;
                            };
                            /** @description draft, running, stopped or shipped */
                            status: string;
                            createdAt: number;
                            startedAt: number | null;
                            stoppedAt: number | null;
                            offset: number;
                            shippedVariant: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments/{name}/ship": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Serve a variant to all the experiment's listeners but the long-term holdout */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        variant: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            def: {
                                [key: string]: unknown;
                            };
                            /** @description draft, running, stopped or shipped */
                            status: string;
                            createdAt: number;
                            startedAt: number | null;
                            stoppedAt: number | null;
                            offset: number;
                            shippedVariant: string | null;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/experiments/{name}/report": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The experiment's report: per metric the value per variant, relativeLift, ci, pValue, sequential test; the decision (an interleaving experiment: the teams' credit and the listeners' preference) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            experiment: string;
                            status: string;
                            from: number;
                            until: number;
                            alpha: number;
                            variants: {
                                name: string;
                                listeners: number;
                                exposures: number;
                                weight: number | null;
                            }[];
                            /** @description the sample ratio check */
                            srm: {
                                chi2: number | null;
                                pValue: number | null;
                                ok: boolean;
                            };
                            assignmentConflicts: number;
                            attributedPlays: number;
                            metrics: {
                                metric: string;
                                role: "success" | "guardrail" | "observed";
                                direction: "up" | "down";
                                variant: string;
                                control: string;
                                values: {
                                    [key: string]: number | null;
                                };
                                /** @description treatment / control - 1; null while it cannot be estimated */
                                relativeLift: number | null;
                                ci: (number | null)[];
                                absoluteDiff: number | null;
                                pValue: number | null;
                                pValueAdjusted: number | null;
                                cuped: {
                                    theta: number | null;
                                    varianceReduction: number | null;
                                } | null;
                                sequential: {
                                    method: "msprt" | "group-sequential";
                                    pValue?: number | null;
                                    boundary?: number | null;
                                    z?: number | null;
                                    looks: number;
                                    reject: boolean;
                                    /** @description the test at the end of every day since the start */
                                    path: {
                                        day: number;
                                        pValue?: number | null;
                                        z: number | null;
                                        boundary?: number | null;
                                    }[];
                                } | null;
                                significant: boolean;
                                margin?: number;
                                nonInferior?: boolean;
                                /** @description listeners (both arms) a fixed-horizon test of this difference needs for 80% power */
                                listenersFor80?: number | null;
                            }[];
                            decision: {
                                action: "ship" | "no-ship" | "continue" | "invalid";
                                variant?: string;
                                reasons: string[];
                            };
                        } | {
                            experiment: string;
                            /** @enum {string} */
                            design: "interleave";
                            status: string;
                            from: number;
                            until: number;
                            alpha: number;
                            teams: {
                                team: "a" | "b";
                                variant: string;
                                picks: number;
                                listens: number;
                                skips: number;
                            }[];
                            /** @description tracks placed per team against 1:1 */
                            balance: {
                                chi2: number | null;
                                pValue: number | null;
                                ok: boolean;
                            };
                            listeners: number;
                            exposures: number;
                            creditedPlays: number;
                            preference: {
                                a: number;
                                b: number;
                                ties: number;
                                /** @description share of decided listeners preferring b */
                                winRateB: number | null;
                                ci: (number | null)[];
                                /** @description (listeners preferring b - preferring a) / listeners */
                                delta: number | null;
                                z: number | null;
                                /** @description the fixed-horizon sign test */
                                pValue: number | null;
                            };
                            sequential: {
                                method: "mixture-sprt" | "group-sequential";
                                pValue?: number | null;
                                z?: number | null;
                                boundary?: number | null;
                                /** @description the always-valid confidence sequence of winRateB */
                                cs?: (number | null)[];
                                looks: number;
                                reject: boolean;
                                path: {
                                    day: number;
                                    winRateB: number | null;
                                    pValue?: number | null;
                                    cs?: (number | null)[];
                                    z: number | null;
                                    boundary?: number | null;
                                }[];
                            };
                            /** @description listeners an interleaving test of this preference needs for 80% power */
                            listenersFor80: number | null;
                            decision: {
                                action: "prefer" | "no-preference" | "continue" | "invalid";
                                variant?: string;
                                team?: "a" | "b";
                                reasons: string[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/surfaces/{surface}/policy": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The surface's default policy, whole (a partial policy is laid over it) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    surface: "autoplay" | "radio" | "daily-mixes" | "discovery" | "release-radar" | "blend" | "mood" | "enhance" | "shuffle";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            surface: "autoplay" | "radio" | "daily-mixes" | "discovery" | "release-radar" | "blend" | "mood" | "enhance" | "shuffle";
                            length: number;
                            candidates: {
                                source: "transitions" | "sknn" | "item2vec" | "als" | "content" | "popularity" | "fresh" | "trending";
                                k: number;
                            }[];
                            objectives: {
                                satisfaction?: number;
                                flow?: number;
                                discovery?: number;
                                variety?: number;
                                emergingArtists?: number;
                                fairness?: number;
                                promoted?: number;
                                cost?: number;
                            };
                            constraints: {
                                artistSeparation?: number;
                                maxPerAlbum?: number;
                                maxPerArtist?: number;
                                noRepeatHours?: number;
                                explicit?: "allow" | "block";
                                market?: string;
                                promotedShare?: {
                                    max: number;
                                };
                                window?: {
                                    hours: number;
                                    perAlbum: number;
                                    albumInARow: number;
                                    perArtist: number;
                                    artistInARow: number;
                                };
                                maxPodcasts?: number;
                            };
                            targets?: {
                                discoveryShare?: number;
                                emergingArtistShare?: number;
                            };
                            multipliers?: {
                                discoveryShare?: number;
                                emergingArtistShare?: number;
                            };
                            solver?: {
                                beamWidth: number;
                                branching?: number;
                            };
                            exploration?: {
                                epsilon: number;
                                temperature: number;
                            };
                            logging?: {
                                candidatesShare?: number;
                                exploration?: {
                                    epsilon: number;
                                    temperature: number;
                                };
                                weightsShare?: number;
                                weightsRadius?: number;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Saved policies (newest version of each) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            version: number;
                            createdAt: number;
                        }[];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/policies/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A saved policy (its newest version) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            version: number;
                            createdAt: number;
                            /** @description a partial policy over a surface's defaults: objects merge, values replace */
                            policy: {
                                [key: string]: unknown;
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Save a partial policy under a name (a new version each time); checked against every surface it may apply to */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            /** @description a partial policy over a surface's defaults: objects merge, values replace */
            requestBody: {
                content: {
                    "application/json": {
                        [key: string]: unknown;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            version: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/tradeoff": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Start tracing a trade-off frontier in the simulator's closed loop (as `segue tradeoff`); poll GET /v1/jobs/{id}
         * @description Builds its own simulated world (needs no store data) and changes nothing; one job runs at a time per process.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        surface: "radio" | "autoplay";
                        /** @description the objective weight swept */
                        objective: "satisfaction" | "flow" | "discovery" | "variety" | "emergingArtists" | "fairness" | "promoted" | "cost";
                        from: number;
                        to: number;
                        step: number;
                        /** @description a partial policy (e.g. the playground's): also served, and marked on the plot as the current point */
                        policy?: {
                            [key: string]: unknown;
                        };
                        /** @description listeners of the simulated world (default 400) */
                        listeners?: number;
                        /** @description tracks of the simulated world (default 4,000) */
                        tracks?: number;
                        /** @description days of history (default 7) */
                        days?: number;
                        /** @description listeners served per point (default 120) */
                        sessions?: number;
                        /** @description tracks per served session (default 20) */
                        length?: number;
                        seed?: number;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                202: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            kind: string;
                            /** @description running, done, failed or cancelled */
                            status: string;
                            /** @description 0..1 */
                            progress: number;
                            message: string;
                            startedAt: number;
                            finishedAt: number | null;
                            params: {
                                [key: string]: unknown;
                            };
                            result?: {
                                surface: string;
                                objective: string;
                                protocol: string;
                                points: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                }[];
                                baseline: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                };
                                current?: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                };
                            };
                            error?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This process's recent jobs, newest first (without their results) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            kind: string;
                            /** @description running, done, failed or cancelled */
                            status: string;
                            /** @description 0..1 */
                            progress: number;
                            message: string;
                            startedAt: number;
                            finishedAt: number | null;
                            params: {
                                [key: string]: unknown;
                            };
                            result?: {
                                surface: string;
                                objective: string;
                                protocol: string;
                                points: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                }[];
                                baseline: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                };
                                current?: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                };
                            };
                            error?: string;
                        }[];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                429: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A job's status, progress and (when done) result */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            kind: string;
                            /** @description running, done, failed or cancelled */
                            status: string;
                            /** @description 0..1 */
                            progress: number;
                            message: string;
                            startedAt: number;
                            finishedAt: number | null;
                            params: {
                                [key: string]: unknown;
                            };
                            result?: {
                                surface: string;
                                objective: string;
                                protocol: string;
                                points: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                }[];
                                baseline: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                };
                                current?: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                };
                            };
                            error?: string;
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/jobs/{id}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop a running job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    id: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            id: string;
                            kind: string;
                            /** @description running, done, failed or cancelled */
                            status: string;
                            /** @description 0..1 */
                            progress: number;
                            message: string;
                            startedAt: number;
                            finishedAt: number | null;
                            params: {
                                [key: string]: unknown;
                            };
                            result?: {
                                surface: string;
                                objective: string;
                                protocol: string;
                                points: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                }[];
                                baseline: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                };
                                current?: {
                                    listenThrough: number;
                                    minutes: number;
                                    emergingShare: number;
                                    plays: number;
                                    weight: number;
                                };
                            };
                            error?: string;
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            /** @description a stable code: bad_request, unauthorized, forbidden, not_found, payload_too_large, rate_limited, unsupported_media_type, unavailable, internal */
            error: string;
            /** @description what was wrong, in one sentence */
            message: string;
            /** @description JSON pointer of the offending field, when one is to blame */
            field?: string;
            requestId?: string;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;
