import time, os, gc
from foerderportal.wsgi import application as inner
log = open(f"/tmp/prof/wsgi-{os.getpid()}.log", "a", buffering=1)
def application(environ, start_response):
    c0 = time.thread_time(); w0 = time.perf_counter()
    body = inner(environ, start_response)
    data = b"".join(body)
    if hasattr(body, "close"): body.close()
    log.write(f"{environ['PATH_INFO']} cpu={(time.thread_time()-c0)*1000:.2f} wall={(time.perf_counter()-w0)*1000:.2f}\n")
    return [data]
