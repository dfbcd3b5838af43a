"""The operating system's errors in Chinese words (its own words, `OSError.strerror`, are English)."""

from __future__ import annotations

import errno

_REASONS = {
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出磁盘配额",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EROFS: "所在的文件系统是只读的",
    errno.ENOTDIR: "路径中的某一级是文件，不是文件夹",
    errno.EISDIR: "这是一个文件夹，不是文件",
    errno.EEXIST: "已经存在",
    errno.ENOENT: "不存在",
    errno.EIO: "读写设备出错",
    errno.ENAMETOOLONG: "文件名或路径太长（一级名称最多255字节，约85个汉字）",
    errno.ELOOP: "路径中的符号链接层数太多（可能互相指向）",
    errno.ENOTEMPTY: "文件夹不是空的",
    errno.EBUSY: "正被其他程序占用",
    errno.ETXTBSY: "正被其他程序占用",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.EXDEV: "不能跨磁盘移动",
    errno.EINVAL: "名称或参数无效",
    errno.ENOMEM: "内存不足",
    errno.EFBIG: "文件太大",
    errno.ENXIO: "设备不存在",
    errno.ENODEV: "设备不存在",
}


def os_reason(exc: OSError) -> str:
    """Why the operating system refused, in Chinese words (callers add its code, `exc.errno`)."""
    return _REASONS.get(exc.errno or 0, "操作系统报告的错误")
