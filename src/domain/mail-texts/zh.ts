// The service's mails in Chinese (full-width punctuation throughout).

import { passwordAloneUnlocks, type LockFacts, type MailTexts, type SecurityChange } from './types.js';

const SECURITY_CHANGE: Readonly<Record<SecurityChange, { subject: string; what: string }>> = {
  password: { subject: '您的 OKPay 密码已修改', what: '密码已修改' },
  '2fa-on': { subject: '两步验证已开启', what: '两步验证已开启' },
  '2fa-off': { subject: '两步验证已关闭', what: '两步验证已关闭' },
  'recovery-codes': { subject: '已生成新的恢复码', what: '恢复码已重新生成（旧的恢复码已失效）' },
};

const withCode = (twoFactor: boolean): string => (twoFactor ? '和两步验证码' : '');

function describeLock(lock: LockFacts): { why: string; how: string } {
  switch (lock.reason) {
    case 'self':
      return {
        why: `您于 ${lock.since}（UTC）自行冻结了账户${lock.note ? `（${lock.note}）` : ''}`,
        how: `运行 okpay unlock --email ${lock.email}，并输入密码${withCode(lock.twoFactor)}`,
      };
    case 'failed-logins':
      return {
        why: `连续 ${lock.failedSignIns} 次登录失败，账户自 ${lock.since}（UTC）起被锁定`,
        how: `使用我们通过邮件发送的解锁令牌运行 okpay unlock --email ${lock.email} --token 令牌，并输入密码${withCode(lock.twoFactor)}`,
      };
    case 'agent':
      return {
        why: `OKPay 客服于 ${lock.since}（UTC）锁定了账户${lock.note ? `，说明：${lock.note}` : ''}`,
        how: '此锁定只能由客服解除，运行 okpay support 可查看联系方式',
      };
  }
}

/** The self-lock notice's warning when the password alone lifts the lock (passwordAloneUnlocks). */
const PASSWORD_ALONE_UNLOCKS =
  '未开启两步验证时，任何知道您密码的人仅凭密码即可解除此锁定：如果他人可能知道您的密码，请联系客服锁定账户（okpay support），重新登录后修改密码（okpay password change）并开启两步验证（okpay 2fa enable）。';

export const zh: MailTexts = {
  signature: '—— OKPay\n我们绝不会通过邮件索要您的密码或验证码。如有邮件索要，那不是我们发的。',

  activation: (token) => ({
    subject: '激活您的 OKPay 账户',
    text: `欢迎使用 OKPay。\n\n请运行以下命令激活账户：\n\n  okpay activate ${token}\n\n激活时需要输入您注册时设置的密码（脚本可用 --password-stdin 从标准输入传入）。该令牌只能使用一次，24 小时内有效。如果您没有注册过，请忽略本邮件：没有该密码，令牌无法使用，账户也不会被激活。`,
  }),
  registrationAttempt: (address, email) => ({
    subject: '有人尝试用您的信息注册 OKPay 账户',
    text: `有人尝试用 ${address} 注册新的 OKPay 账户，而它已属于您的账户。系统没有创建任何账户，您的账户也没有任何变化。\n\n如果是您本人，请登录（okpay login --email ${email}）或重置密码（okpay password reset --email ${email}）。如果不是，您无需做任何事。`,
  }),
  passwordReset: (token) => ({
    subject: '重置您的 OKPay 密码',
    text: `有人申请重置此账户的密码。如果是您本人，请运行：\n\n  okpay password reset --token ${token}\n\n该令牌只能使用一次，一小时内有效。如果不是您，请忽略本邮件，密码不会改变。`,
  }),
  lockedAfterFailures: (lock, token) => ({
    subject: '您的 OKPay 账户已被锁定',
    text: `由于连续 ${lock.failedSignIns} 次登录失败，我们锁定了您的账户。\n\n如果是您本人，请使用此令牌和您的密码${lock.twoFactor ? '，以及验证器应用中的验证码' : ''}解锁：\n\n  okpay unlock --email ${lock.email} --token ${token}\n\n令牌 24 小时内有效。如果不是您本人操作，说明有人知道您的邮箱地址：解锁后请修改密码（okpay password change）并开启两步验证（okpay 2fa enable）。`,
  }),
  lockNotice: (lock) => {
    const { why, how } = describeLock(lock);
    return {
      subject: '您的 OKPay 账户已锁定',
      text: `您的账户已锁定。原因：${why}。\n\n锁定期间，资金无法转出，任何人都无法登录。\n\n解锁方法：${how}。${passwordAloneUnlocks(lock) ? `\n\n${PASSWORD_ALONE_UNLOCKS}` : ''}`,
    };
  },
  unlocked: {
    subject: '您的 OKPay 账户已解锁',
    text: '您的账户已解锁，可以重新登录和付款。如果这不是您本人的操作，请立即联系客服。',
  },
  securityChange: (change, email) => ({
    subject: SECURITY_CHANGE[change].subject,
    text: `${email} 的${SECURITY_CHANGE[change].what}。其他登录会话已退出。\n\n如果这不是您本人的操作，请立即重置密码（okpay password reset --email ${email}）并联系客服。`,
  }),

  paymentReceived: ({ from, amount, currency }, memo) => ({
    subject: `您收到了 ${amount} ${currency}`,
    text: `${from} 向您转账 ${amount} ${currency}${memo ? `，附言：${memo}` : ''}。\n\n查看余额：okpay balance`,
  }),
  moneyWaiting: ({ from, amount, currency }, to, until) => ({
    subject: `${from} 通过 OKPay 向您转账 ${amount} ${currency}`,
    text: `${from} 向您转账 ${amount} ${currency}。这笔钱会为您保留到 ${until}，逾期将退回给付款人。\n\n如需领取，请用这个邮箱地址开立 OKPay 账户：\n\n  okpay register --email ${to} --accept-terms\n\n账户激活后，款项会立即存入您的钱包。`,
  }),
  payoutCompleted: ({ amount, currency, methodLabel }) => ({
    subject: `提现已完成：${amount} ${currency}`,
    text: `${amount} ${currency} 已发送至 ${methodLabel}。\n\n查看提现记录：okpay withdraw list`,
  }),
  payoutFailed: ({ amount, currency, methodLabel }) => ({
    subject: `提现失败：${amount} ${currency}`,
    text: `向 ${methodLabel} 的提现未能完成：收款账户拒收了这笔款项。提现金额和手续费已退回您的可用余额。\n\n查看提现记录：okpay withdraw list`,
  }),
  transferReturned: (to, amount, currency) => ({
    subject: `转给 ${to} 的款项已退回`,
    text: `${to} 在 30 天内没有领取您的转账。${amount} ${currency}（含手续费）已退回您的余额。`,
  }),
  paymentRefunded: ({ from, amount, currency }, txId) => ({
    subject: `您收到的一笔付款已被退款`,
    text: `经争议处理，客服已将 ${txId} 退还给 ${from}：${amount} ${currency} 已从您的余额退回给对方。\n\n在历史记录中查看：okpay history --type refund。如有异议，请用 okpay ticket new --tx ${txId} 提交工单。`,
  }),
  phoneCode: (code, minutes) => ({
    subject: 'OKPay 验证码',
    text: `OKPay：${code} 是验证此手机号码的验证码，${minutes} 分钟内有效。请勿告诉任何人，OKPay 绝不会索要。`,
  }),

  kycApproved: {
    subject: '身份验证已通过',
    text: '您的身份验证已通过。今后您的转账和提现适用已验证用户的更高限额。',
  },
  kycRejected: (reason) => ({
    subject: '身份验证未通过',
    text: `您的身份验证未通过，原因：${reason}。\n\n您可以修正后重新提交：okpay kyc submit`,
  }),

  ticket: {
    status: { new: '新建', open: '处理中', pending: '等待您的回复', 'on-hold': '暂缓处理', solved: '已解决', closed: '已关闭', merged: '已合并' },
    signature: '—— OKPay 客服\n我们绝不会索要您的密码或一次性验证码。凡是索要这些信息的邮件，都不是我们发的。',
    receivedSubject: (n, subject) => `[OKPay #${n}] 我们已收到您的请求：${subject}`,
    received: (n, expected, relatedTo) =>
      `感谢您联系 OKPay 客服。您的请求编号为工单 #${n}${relatedTo === null ? '' : `（接续工单 #${relatedTo}）`}。` +
      `${expected === null ? '' : `\n\n预计最晚在 ${expected} 前给您首次答复。`}\n\n请不要重复提交同样的请求：重复发送并不会让答复更快。`,
    replySubject: (n, subject) => `[OKPay #${n}] 新的答复：${subject}`,
    reply: (n, body, status) => `客服人员答复了您的工单 #${n}：\n\n${body}\n\n工单当前状态：${status}。`,
    statusSubject: (n, status, subject) => `[OKPay #${n}] 工单${status}：${subject}`,
    statusText: (n, to, mergedInto) =>
      ({
        open: `您的工单 #${n} 正在处理中，客服人员正在跟进。`,
        pending: `工单 #${n} 正在等待您的回复，工单会为您保留。`,
        'on-hold': `工单 #${n} 暂缓处理：我们正在等待第三方（例如银行或其他支付机构）的回复，一有进展就会通知您。`,
        solved: `我们已将工单 #${n} 标记为已解决。如果问题仍未解决，直接回复即可重新打开；如无回复，工单将在 7 天后关闭。\n\n欢迎为我们的服务评分：okpay ticket rate ${n} --score 1-5`,
        closed: `工单 #${n} 已关闭。如果您再回复，我们会新建一个与之关联的工单。`,
        merged: `工单 #${n} 已合并到工单 #${mergedInto ?? '?'}，后续沟通将在该工单中进行，请在那里回复。`,
      })[to],
    replyHint: (n) => `回复工单：okpay ticket reply ${n} --body "…"\n查看完整对话：okpay ticket show ${n}`,
  },
};
